// The client's own failures. Bad input (empty file, too large, unsupported media type) is
// reported with contracts' PaperlineError codes instead, so every caller (gateway, CLI) speaks
// the same codes as the pipeline's dead letters.
import type { JobRecord } from '@paperline/contracts';

export const ClientErrorCodes = {
  DOCUMENT_NOT_FOUND: { retryable: false, message: 'no document with this id' },
  DUPLICATE_DOCUMENT_ID: { retryable: false, message: 'a document with this id already exists' },
  NOT_READY: { retryable: true, message: 'the document is not processed yet' },
  DOCUMENT_FAILED: { retryable: false, message: 'the document failed' },
  DOCUMENT_CANCELLED: { retryable: false, message: 'the document was cancelled' },
  OUTPUT_NOT_FOUND: { retryable: false, message: 'the document has no output in this format' },
  WAIT_TIMEOUT: { retryable: true, message: 'the document did not finish in time' },
  CLIENT_CLOSED: { retryable: false, message: 'the client is closed' },
  SUBMIT_FAILED: { retryable: true, message: 'the document could not be submitted' },
  STORE_FULL: { retryable: true, message: 'the store is full: no new document is accepted until space is freed' },
  INVALID_OPTION: { retryable: false, message: 'invalid option' },
} as const satisfies Record<string, { retryable: boolean; message: string }>;

export type ClientErrorCode = keyof typeof ClientErrorCodes;

export interface ClientErrorOptions {
  cause?: unknown;
  /** The job record when the error is about a known document (NOT_READY, DOCUMENT_FAILED). */
  job?: JobRecord;
}

export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly retryable: boolean;
  readonly job: JobRecord | undefined;

  constructor(
    readonly code: ClientErrorCode,
    detail?: string,
    options: ClientErrorOptions = {},
  ) {
    super(detail ? `${ClientErrorCodes[code].message}: ${detail}` : ClientErrorCodes[code].message, { cause: options.cause });
    this.retryable = ClientErrorCodes[code].retryable;
    this.job = options.job;
  }
}

/** Matches by name as well as instanceof, so a ClientError from another copy of this lib still matches. */
export function isClientError(error: unknown): error is ClientError {
  return error instanceof ClientError || (error instanceof Error && error.name === 'ClientError' && 'code' in error);
}
