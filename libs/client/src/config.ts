/** 256 MiB: a large scanned PDF; render applies its own page and pixel limits after this. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
/** 64 MiB: results are text, far smaller than their inputs. */
export const DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024;

/** convict section shared by every process that submits documents (gateway, CLI). */
export const clientSchema = {
  limits: {
    maxFileBytes: {
      doc: 'Largest document accepted for submission, in bytes (the HTTP body limit too).',
      format: 'nat',
      default: DEFAULT_MAX_FILE_BYTES,
      env: 'PL_MAX_FILE_BYTES',
    },
    maxResultBytes: {
      doc: 'Largest result the client reads back, in bytes.',
      format: 'nat',
      default: DEFAULT_MAX_RESULT_BYTES,
      env: 'PL_MAX_RESULT_BYTES',
    },
  },
} as const;
