// The stage runtime's own failures (not a message's fate: that is contracts' ErrorCodes).

export const StageErrorCodes = {
  INVALID_OPTION: { code: 'STAGE_INVALID_OPTION', message: 'an option of the stage runtime is invalid' },
  ILLEGAL_TRANSITION: { code: 'STAGE_ILLEGAL_TRANSITION', message: 'the lifecycle does not allow this transition' },
  NOT_BOUND: { code: 'STAGE_NOT_BOUND', message: 'a durable consumer of the stage is missing' },
  SHUTDOWN_TIMEOUT: { code: 'STAGE_SHUTDOWN_TIMEOUT', message: 'in-flight work did not finish within the grace period' },
  CLOSED: { code: 'STAGE_CLOSED', message: 'the runtime is closed' },
} as const;
export type StageErrorCode = keyof typeof StageErrorCodes;

export class StageError extends Error {
  override readonly name = 'StageError';
  readonly code: (typeof StageErrorCodes)[StageErrorCode]['code'];

  constructor(key: StageErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${StageErrorCodes[key].message}: ${detail}` : StageErrorCodes[key].message, options);
    this.code = StageErrorCodes[key].code;
  }
}
