export const BusErrorCodes = {
  CONNECT_FAILED: 'BUS_CONNECT_FAILED',
  PROVISION_FAILED: 'BUS_PROVISION_FAILED',
  CONFIG_DRIFT: 'BUS_CONFIG_DRIFT',
  OBJECT_NOT_FOUND: 'BUS_OBJECT_NOT_FOUND',
  OBJECT_TOO_LARGE: 'BUS_OBJECT_TOO_LARGE',
} as const;
export type BusErrorCode = (typeof BusErrorCodes)[keyof typeof BusErrorCodes];

export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
