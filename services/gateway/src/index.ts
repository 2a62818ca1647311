export { createGateway, createOpsServer, DEFAULT_READY_TIMEOUT_MS, type GatewayOptions } from './gateway.js';
export { authenticate, isLoopback, loadApiKeys, parseApiKeys, resolveAuth, MIN_API_KEY_LENGTH, type ApiKey, type AuthSettings, type Principal } from './auth.js';
export { gatewaySchema, DEFAULT_HTTP_PORT, type GatewayConfig } from './config.js';
export { GatewayError, GatewayErrorCodes, toHttpError, type GatewayErrorCode, type HttpError } from './errors.js';
export { documentView, type DocumentView } from './document-view.js';
export { DOCUMENTS_PATH, FILE_FIELD, DEFAULT_FILE_NAME } from './routes/documents.js';
