import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { PaperlineClient } from '@paperline/client';
import { getMetrics, type Logger } from '@paperline/telemetry';
import type { GatewayConfig } from './config.js';
import { GatewayError, toHttpError } from './errors.js';
import { documentRoutes } from './routes/documents.js';

/** How long /readyz waits for a NATS round trip before it answers 503. */
export const DEFAULT_READY_TIMEOUT_MS = 2_000;

export interface GatewayOptions {
  client: PaperlineClient;
  config: GatewayConfig;
  /** @default no request logging */
  log?: Logger;
  /** @default DEFAULT_READY_TIMEOUT_MS */
  readyTimeoutMs?: number;
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
  const app = Fastify({
    ...(options.log ? { loggerInstance: options.log as FastifyBaseLogger } : { logger: false }),
    bodyLimit: maxFileBytes,
  });

  // every other content type is taken as the raw document; its magic bytes decide if it is one
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxFileBytes }, (_request, body, done) => done(null, body));
  void app.register(multipart, { limits: { fileSize: maxFileBytes, files: 1 } });

  observeRequests(app);

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toHttpError(new GatewayError('ROUTE_NOT_FOUND', `${request.method} ${request.url}`));
    return reply.code(status).send(body);
  });

  // the same answers as a stage's health server (docs/monitoring.md), so probes and alerts treat both alike
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_request, reply) => {
    const registry = getMetrics().registry;
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
  app.get('/readyz', async (_request, reply) => {
    const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from NATS within ${timeoutMs} ms`)), timeoutMs))),
      ]);
      return { ok: true };
    } catch (error) {
      return reply.code(503).send({ ok: false, notReady: ['nats'], reason: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  });
  void app.register(async (scope) => documentRoutes(scope, client, maxFileBytes));
  return app;
}
