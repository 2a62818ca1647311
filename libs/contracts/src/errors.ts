// The closed set of error codes that cross process boundaries (dead letters, failed documents,
// HTTP errors). `retryable` decides a message's fate: terminal codes are dead-lettered at once,
// retryable ones are nak'ed with backoff until max_deliver.

export const ErrorCodes = {
  // bad input: terminal
  EMPTY_FILE: { retryable: false, message: 'the file is empty (0 bytes)' },
  UNSUPPORTED_MEDIA_TYPE: { retryable: false, message: 'unsupported media type' },
  CORRUPT_PDF: { retryable: false, message: 'the PDF is corrupt or truncated' },
  ENCRYPTED_PDF: { retryable: false, message: 'the PDF is encrypted (password protected)' },
  CORRUPT_IMAGE: { retryable: false, message: 'the image cannot be decoded' },
  TOO_MANY_PAGES: { retryable: false, message: 'the document has more pages than allowed' },
  IMAGE_TOO_LARGE: { retryable: false, message: 'the image has more pixels than allowed' },
  FILE_TOO_LARGE: { retryable: false, message: 'the file is larger than allowed' },
  INVALID_PAGE_RANGE: { retryable: false, message: 'the page range selects no page of the document' },
  INVALID_MESSAGE: { retryable: false, message: 'the message does not match its schema' },
  MODEL_UNAVAILABLE: { retryable: false, message: 'the model needed for this work is not installed' },
  // transient: retried
  OUT_OF_MEMORY: { retryable: true, message: 'out of memory' },
  BUDGET_TIMEOUT: { retryable: true, message: 'the memory budget had no room within the reserve timeout' },
  CONNECTION_LOST: { retryable: true, message: 'the connection to NATS was lost' },
  STAGE_PAUSED: { retryable: true, message: 'the stage is paused' },
  SHUTTING_DOWN: { retryable: true, message: 'the stage is shutting down' },
  TRANSIENT: { retryable: true, message: 'a transient failure' },
  RENDER_CRASHED: { retryable: true, message: 'the render process died while rendering the document' },
  // exhausted or unknown
  MAX_DELIVERIES: { retryable: false, message: 'the message was delivered the maximum number of times' },
  INTERNAL: { retryable: true, message: 'an unexpected internal error' },
} as const satisfies Record<string, { retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

export interface PaperlineErrorOptions {
  cause?: unknown;
  /** Overrides the retry delay of a retryable error (e.g. the budget's suggested wait). */
  retryAfterMs?: number;
}

export class PaperlineError extends Error {
  override readonly name = 'PaperlineError';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: ErrorCode,
    detail?: string,
    options: PaperlineErrorOptions = {},
  ) {
    super(detail ? `${ErrorCodes[code].message}: ${detail}` : ErrorCodes[code].message, { cause: options.cause });
    this.retryable = ErrorCodes[code].retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Matches by name as well as instanceof, so errors rebuilt across a process boundary still match. */
export function isPaperlineError(error: unknown): error is PaperlineError {
  return error instanceof PaperlineError || (error instanceof Error && error.name === 'PaperlineError' && 'code' in error);
}

/** Bad input and exhausted retries are terminal; everything else, unknown errors included, is retried. */
export function isTerminal(error: unknown): boolean {
  return isPaperlineError(error) && !error.retryable;
}

export function errorCodeOf(error: unknown): ErrorCode {
  return isPaperlineError(error) ? error.code : 'INTERNAL';
}
