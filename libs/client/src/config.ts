import { MAX_FILE_BYTES, MAX_FILE_BYTES_ENV } from '@paperline/contracts';

/** contracts' MAX_FILE_BYTES (200 MiB), render's limit too; render applies its page and pixel limits after this. */
export const DEFAULT_MAX_FILE_BYTES = MAX_FILE_BYTES;
/** 64 MiB: results are text, far smaller than their inputs. */
export const DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024;

/** convict section shared by every process that submits documents (gateway, CLI). */
export const clientSchema = {
  limits: {
    maxFileBytes: {
      doc: "Largest document accepted for submission, in bytes (the HTTP body limit too, and render's limit: one variable for all).",
      format: 'nat',
      default: DEFAULT_MAX_FILE_BYTES,
      env: MAX_FILE_BYTES_ENV,
    },
    maxResultBytes: {
      doc: 'Largest result the client reads back, in bytes.',
      format: 'nat',
      default: DEFAULT_MAX_RESULT_BYTES,
      env: 'PL_MAX_RESULT_BYTES',
    },
  },
} as const;
