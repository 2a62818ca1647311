// Errors of the models lib. Across a process boundary a model that cannot be had becomes
// contracts' PaperlineError('MODEL_UNAVAILABLE') (terminal); these codes say why locally.

export const ModelErrorCodes = {
  MANIFEST_INVALID: { retryable: false, message: 'the model manifest is invalid' },
  UNKNOWN_MODEL: { retryable: false, message: 'the model is not in the manifest' },
  FILE_MISSING: { retryable: false, message: 'a model file is missing' },
  CHECKSUM_MISMATCH: { retryable: false, message: 'a model file does not match its sha256' },
  NO_DEVICE: { retryable: false, message: 'none of the configured execution providers suits the model' },
  DEVICE_FULL: { retryable: true, message: 'the device has too little free memory' },
  PROVIDER_UNAVAILABLE: { retryable: false, message: 'the execution provider cannot be used' },
  LOAD_FAILED: { retryable: true, message: 'the model failed to load' },
  CLOSED: { retryable: false, message: 'the model manager is torn down' },
  NO_DECODER: { retryable: false, message: 'paperline has no decoder for this model' },
  NO_SOURCE: { retryable: false, message: 'the model file has no download url' },
  FETCH_FAILED: { retryable: true, message: 'the model file could not be downloaded' },
} as const satisfies Record<string, { retryable: boolean; message: string }>;

export type ModelErrorCode = keyof typeof ModelErrorCodes;

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly retryable: boolean;

  constructor(
    readonly code: ModelErrorCode,
    readonly detail?: string,
    options: { cause?: unknown } = {},
  ) {
    super(detail ? `${ModelErrorCodes[code].message}: ${detail}` : ModelErrorCodes[code].message, options);
    this.retryable = ModelErrorCodes[code].retryable;
  }
}
