// Exit codes of the `paperline` command, and the mapping from every error to one of them.
import { isPaperlineError } from '@paperline/contracts';
import { isClientError } from '@paperline/client';
import { ModelError } from '@paperline/models';

export const ExitCodes = {
  OK: 0,
  /** A document failed (the others are still written), its result is a failure, or a check found drift. */
  FAILED: 1,
  /** Bad arguments or options. */
  USAGE: 2,
  /** An input file was refused before submission (missing, empty, too large, not a document). */
  INPUT_REJECTED: 3,
  /** No document with that id. */
  NOT_FOUND: 4,
  /** The document is not finished (result without --wait), or --timeout passed. */
  NOT_READY: 5,
  /** NATS is unreachable or a resource is missing (run `paperline provision`). */
  UNAVAILABLE: 69,
  /** A bug: anything else. */
  INTERNAL: 70,
  /** Interrupted by SIGINT or SIGTERM. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The exit code an error ends the command with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (isClientError(error)) {
    switch (error.code) {
      case 'DOCUMENT_FAILED':
        return ExitCodes.FAILED;
      case 'DOCUMENT_NOT_FOUND':
      case 'OUTPUT_NOT_FOUND':
        return ExitCodes.NOT_FOUND;
      case 'NOT_READY':
      case 'WAIT_TIMEOUT':
        return ExitCodes.NOT_READY;
      case 'INVALID_OPTION':
        return ExitCodes.USAGE;
      default:
        return ExitCodes.UNAVAILABLE;
    }
  }
  if (error instanceof ModelError) {
    if (error.code === 'UNKNOWN_MODEL') return ExitCodes.USAGE;
    return error.retryable ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED;
  }
  if (isPaperlineError(error)) return error.retryable ? ExitCodes.UNAVAILABLE : ExitCodes.INPUT_REJECTED;
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return ExitCodes.INPUT_REJECTED;
  if (typeof code === 'string' && code.startsWith('BUS_')) return ExitCodes.UNAVAILABLE;
  return ExitCodes.INTERNAL;
}
