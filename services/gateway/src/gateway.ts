import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { PaperlineClient } from '@paperline/client';
import { getMetrics, type Logger } from '@paperline/telemetry';
import { authenticate, type ApiKey, type Principal } from './auth.js';
import { DEFAULT_MAX_CONCURRENT_UPLOADS, DEFAULT_MAX_CONCURRENT_UPLOADS_PER_KEY, DEFAULT_REQUEST_TIMEOUT_MS, type GatewayConfig } from './config.js';
import { GatewayError, toHttpError } from './errors.js';
import { documentRoutes } from './routes/documents.js';
import { UploadSlots } from './upload-slots.js';

/** How long /readyz waits for a NATS round trip before it answers 503. */
export const DEFAULT_READY_TIMEOUT_MS = 2_000;
/** Routes a probe reaches without a key: they tell nothing about documents. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);
/** The multipart body holds one file and a few small fields, nothing more. */
const MULTIPART_LIMITS = { files: 1, fields: 8, parts: 10, fieldSize: 1024, headerPairs: 64 } as const;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface GatewayOptions {
  client: PaperlineClient;
  config: GatewayConfig;
  /** The API keys a request must carry; `false` runs open (resolveAuth decides). */
  auth: readonly ApiKey[] | false;
  /** Serve /healthz, /readyz and /metrics here too; false when they have a port of their own. @default true */
  serveOps?: boolean;
  /** @default no request logging */
  log?: Logger;
  /** @default DEFAULT_READY_TIMEOUT_MS */
  readyTimeoutMs?: number;
}

function baseApp(log: Logger | undefined, requestTimeoutMs: number): FastifyInstance {
  const app = Fastify({
    ...(log ? { loggerInstance: log as FastifyBaseLogger } : { logger: false }),
    requestTimeout: requestTimeoutMs,
    // errors fastify meets before routing (a malformed URL, a bad content type) get the documented shape too
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { status, body } = toHttpError(error);
      void reply.code(status).send(body);
    },
    // malformed requests fastify answers itself (before routing) get the documented shape too
    clientErrorHandler: (error, socket) => {
      const { status, body } = toHttpError(Object.assign(error, { statusCode: (error as { code?: string }).code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400 }));
      const json = JSON.stringify(body);
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
      else socket.destroy(error);
    },
  });
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="paperline"');
    if (status === 429) void reply.header('retry-after', '1');
    // an upload refused before its body was read: close rather than read the rest of it
    if (status === 413 || (request.method === 'POST' && !request.raw.complete)) void reply.header('connection', 'close');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toHttpError(new GatewayError('ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]}`));
    return reply.code(status).send(body);
  });
  return app;
}

/** /healthz, /readyz and /metrics: the same answers as a stage's health server (docs/monitoring.md). */
function opsRoutes(app: FastifyInstance, client: PaperlineClient, readyTimeoutMs: number): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_request, reply) => {
    const registry = getMetrics().registry;
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
  app.get('/readyz', async (_request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from NATS within ${readyTimeoutMs} ms`)), readyTimeoutMs))),
      ]);
      return { ok: true };
    } catch (error) {
      return reply.code(503).send({ ok: false, notReady: ['nats'], reason: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  });
}

function authHook(keys: readonly ApiKey[] | false) {
  return async (request: FastifyRequest): Promise<void> => {
    if (keys === false) {
      request.principal = { keyId: undefined };
      return;
    }
    if (OPEN_ROUTES.has(request.url.split('?')[0] ?? '')) return;
    request.principal = { keyId: authenticate(keys, request.headers.authorization) };
  };
}

/**
 * Request, error and latency metrics from fastify's hooks. The route label is the route's pattern
 * (`/v1/documents/:id`), never the raw URL, so document ids do not become label values; requests
 * that match no route count as `unmatched`.
 */
function observeRequests(app: FastifyInstance): void {
  const metrics = getMetrics();
  const started = new WeakMap<object, bigint>();
  // every route's error series exists from the start, so the error ratio reads 0 rather than nothing
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) metrics.httpErrors.inc({ method, route: route.url }, 0);
  });
  app.addHook('onRequest', async (request) => {
    started.set(request, process.hrtime.bigint());
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    const begin = started.get(request);
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    if (reply.statusCode >= 500) metrics.httpErrors.inc({ method, route });
    if (begin !== undefined) metrics.httpSeconds.observe({ method, route }, Number(process.hrtime.bigint() - begin) / 1e9);
  });
}

/** The HTTP API as a fastify instance (not listening yet: call listen(), or inject() in tests). */
export function createGateway(options: GatewayOptions): FastifyInstance {
  const { client, config } = options;
  const maxFileBytes = config.limits.maxFileBytes;
  const app = baseApp(options.log, config.http?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  app.decorateRequest('principal', null as unknown as Principal);
  // before the body is read: an unauthenticated upload costs no more than its headers
  app.addHook('onRequest', authHook(options.auth));

  // every body is handed on as the request stream: nothing is buffered whole, JSON or text
  // included (their magic bytes make them a 415); multipart gets its own streaming parser
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  void app.register(multipart, { limits: { ...MULTIPART_LIMITS, fileSize: maxFileBytes } });
  observeRequests(app);

  if (options.serveOps ?? true) opsRoutes(app, client, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  const slots = new UploadSlots(config.http?.maxConcurrentUploads ?? DEFAULT_MAX_CONCURRENT_UPLOADS, config.http?.maxConcurrentUploadsPerKey ?? DEFAULT_MAX_CONCURRENT_UPLOADS_PER_KEY);
  void app.register(async (scope) => documentRoutes(scope, { client, maxFileBytes, slots }));
  return app;
}

/** /healthz, /readyz and /metrics on a port of their own (PL_HTTP_OPS_PORT), for probes and Prometheus only. */
export function createOpsServer(options: Pick<GatewayOptions, 'client' | 'log' | 'readyTimeoutMs'>): FastifyInstance {
  const app = baseApp(options.log, DEFAULT_REQUEST_TIMEOUT_MS);
  opsRoutes(app, options.client, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  return app;
}
