// Maps every error to one HTTP status and the JSON body `{ error: { code, message } }`. Codes
// are contracts' (bad input) and the client's (document state); the gateway adds only the few
// that are about HTTP itself.
import { ErrorCodes, isPaperlineError, type ErrorCode } from '@paperline/contracts';
import { isClientError, type ClientErrorCode } from '@paperline/client';

export const GatewayErrorCodes = {
  BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  UNAUTHORIZED: { status: 401, message: 'a valid API key is required' },
  ROUTE_NOT_FOUND: { status: 404, message: 'no such route' },
  REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
  DOCUMENT_FINISHED: { status: 409, message: 'the document has already finished' },
  TOO_MANY_UPLOADS: { status: 429, message: 'too many uploads in progress' },
  NATS_UNAVAILABLE: { status: 503, message: 'the paperline cluster cannot be reached' },
  INVALID_CONFIG: { status: 500, message: 'the gateway is misconfigured' },
} as const satisfies Record<string, { status: number; message: string }>;
export type GatewayErrorCode = keyof typeof GatewayErrorCodes;

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly code: GatewayErrorCode,
    detail?: string,
  ) {
    super(detail ? `${GatewayErrorCodes[code].message}: ${detail}` : GatewayErrorCodes[code].message);
  }
}

const CLIENT_STATUS: Record<ClientErrorCode, number> = {
  DOCUMENT_NOT_FOUND: 404,
  OUTPUT_NOT_FOUND: 404,
  DUPLICATE_DOCUMENT_ID: 409,
  NOT_READY: 409,
  DOCUMENT_FAILED: 422,
  DOCUMENT_CANCELLED: 410,
  INVALID_OPTION: 400,
  WAIT_TIMEOUT: 504,
  CLIENT_CLOSED: 503,
  SUBMIT_FAILED: 503,
  STORE_FULL: 507,
};

const INPUT_STATUS: Partial<Record<ErrorCode, number>> = {
  EMPTY_FILE: 400,
  FILE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_MESSAGE: 400,
  INVALID_PAGE_RANGE: 400,
};

/** Fastify's and @fastify/multipart's own errors that are really about the upload. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'FILE_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_FILE',
};

/** nats.js's errors when the server cannot be reached or does not answer (by name: they cross copies of the lib). */
const NATS_UNAVAILABLE_ERRORS = new Set(['ConnectionError', 'ClosedConnectionError', 'TimeoutError', 'NoRespondersError', 'RequestError', 'DrainingConnectionError']);

function isNatsUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (NATS_UNAVAILABLE_ERRORS.has(e.name) || (e.name === 'BusError' && (e as { code?: string }).code === 'BUS_CONNECT_FAILED')) return true;
  }
  return false;
}

export interface HttpError {
  status: number;
  body: { error: { code: string; message: string } };
}

export function toHttpError(error: unknown): HttpError {
  const make = (status: number, code: string, message: string): HttpError => ({ status, body: { error: { code, message } } });
  if (error instanceof GatewayError) return make(GatewayErrorCodes[error.code].status, error.code, error.message);
  if (isClientError(error)) return make(CLIENT_STATUS[error.code], error.code, error.message);
  if (isPaperlineError(error)) return make(INPUT_STATUS[error.code] ?? (error.retryable ? 503 : 422), error.code, error.message);
  const framework = error as { code?: string; statusCode?: number; message?: string };
  const mapped = framework.code ? FRAMEWORK_CODES[framework.code] : undefined;
  if (mapped) return make(INPUT_STATUS[mapped] ?? 400, mapped, ErrorCodes[mapped].message);
  if (framework.statusCode === 408) return make(408, 'REQUEST_TIMEOUT', GatewayErrorCodes.REQUEST_TIMEOUT.message);
  if (framework.statusCode && framework.statusCode >= 400 && framework.statusCode < 500) {
    return make(400, 'BAD_REQUEST', framework.message ?? GatewayErrorCodes.BAD_REQUEST.message);
  }
  if (isNatsUnavailable(error)) return make(503, 'NATS_UNAVAILABLE', GatewayErrorCodes.NATS_UNAVAILABLE.message);
  return make(500, 'INTERNAL', ErrorCodes.INTERNAL.message);
}
