export const BusErrorCodes = {
  CONNECT_FAILED: 'BUS_CONNECT_FAILED',
  PROVISION_FAILED: 'BUS_PROVISION_FAILED',
  CONFIG_DRIFT: 'BUS_CONFIG_DRIFT',
  OBJECT_NOT_FOUND: 'BUS_OBJECT_NOT_FOUND',
  OBJECT_TOO_LARGE: 'BUS_OBJECT_TOO_LARGE',
  /** An object's chunks do not add up to its size or digest (a chunk lost or changed). */
  OBJECT_CORRUPT: 'BUS_OBJECT_CORRUPT',
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
