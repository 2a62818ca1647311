export { PaperlineClient, isFinished, type PaperlineClientOptions, type SubmitInput, type SubmitOptions, type WaitOptions } from './client.js';
export { ClientError, ClientErrorCodes, isClientError, type ClientErrorCode, type ClientErrorOptions } from './errors.js';
export { clientSchema, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_RESULT_BYTES } from './config.js';
export { newDocId, DOC_ID_LENGTH } from './doc-id.js';
export { sniffMediaType, normalizeMediaType, isSupportedMediaType, type SupportedMediaType } from './media-type.js';
export { parseTextOptions, parsePageRange, parseFeatureSwitches, parseOutputFormats, type TextOptions } from './options.js';
