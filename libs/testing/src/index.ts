export { startTestServer, type TestServer } from './nats.js';
export * from './onnx.js';
