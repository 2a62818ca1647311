export { startTestServer, type TestServer } from './nats.js';
