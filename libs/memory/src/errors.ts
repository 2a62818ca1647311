// Errors of the memory lib. Budget exhaustion crosses process boundaries as contracts'
// PaperlineError('BUDGET_TIMEOUT'); these codes cover local misuse and probe failures.

export const MemoryErrorCodes = {
  INVALID_CAPACITY: { retryable: false, message: 'the memory capacity setting is invalid' },
  LEASE_TOO_LARGE: { retryable: false, message: 'the requested bytes exceed the whole capacity of the device' },
  LEDGER_CONFLICT: { retryable: true, message: 'the ledger kept changing under compare-and-set' },
  UNKNOWN_DEVICE: { retryable: false, message: 'the device is not present on this node' },
  BUDGET_CLOSED: { retryable: false, message: 'the memory budget is closed' },
} as const satisfies Record<string, { retryable: boolean; message: string }>;

export type MemoryErrorCode = keyof typeof MemoryErrorCodes;

export class MemoryError extends Error {
  override readonly name = 'MemoryError';
  readonly retryable: boolean;

  constructor(
    readonly code: MemoryErrorCode,
    detail?: string,
    options: { cause?: unknown } = {},
  ) {
    super(detail ? `${MemoryErrorCodes[code].message}: ${detail}` : MemoryErrorCodes[code].message, options);
    this.retryable = MemoryErrorCodes[code].retryable;
  }
}
