import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { ObjectNames, ObjectStores } from '@paperline/contracts';
import { startTestServer, updateJobRecord, type TestServer } from '@paperline/testing';
import { createGateway } from './gateway.js';
import { GatewayErrorCodes } from './errors.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const LIMIT = 4096;

function multipart(field: string, fileName: string, type: string, content: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----paperline-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('gateway', () => {
  let server: TestServer;
  let bus: Bus;
  let app: FastifyInstance;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const client = new PaperlineClient({ bus, maxFileBytes: LIMIT });
    app = createGateway({ client, config: { limits: { maxFileBytes: LIMIT } }, auth: false });
    server.defer(() => app.close());
  });
  afterEach(async () => server.reset());

  it('accepts a multipart upload (202), reports its status, and serves the result once completed', async () => {
    const upload = multipart('file', 'paper.pdf', 'application/pdf', PDF);
    const accepted = await app.inject({ method: 'POST', url: '/v1/documents?pages=1-2&lang=en&format=md,json&priority=high&features=table:off', ...upload });
    expect(accepted.statusCode).toBe(202);
    const { id, status } = accepted.json<{ id: string; status: string }>();
    expect(status).toBe('queued');
    expect(accepted.headers['location']).toBe(`/v1/documents/${id}`);

    const queued = await app.inject({ method: 'GET', url: `/v1/documents/${id}` });
    expect(queued.statusCode).toBe(200);
    expect(queued.json()).toMatchObject({
      id,
      status: 'queued',
      fileName: 'paper.pdf',
      pagesDone: 0,
      options: { priority: 'high', pageRange: { from: 1, to: 2 }, lang: 'en', features: { table: false }, outputFormats: ['md', 'json'] },
    });

    const notDone = await app.inject({ method: 'GET', url: `/v1/documents/${id}/result?format=md` });
    expect(notDone.statusCode).toBe(409);
    expect(notDone.json()).toMatchObject({ error: { code: 'NOT_READY' }, document: { id, status: 'queued' } });

    await bus.putObject(ObjectStores.outputs, ObjectNames.output(id, 'md'), Buffer.from('# Paper\n\nText.\n'));
    await bus.putObject(ObjectStores.outputs, ObjectNames.output(id, 'json'), Buffer.from('{"pages":[]}'));
    await updateJobRecord(bus, id, { status: 'completed', pageCount: 2, pagesDone: [1, 2], outputs: { md: ObjectNames.output(id, 'md'), json: ObjectNames.output(id, 'json') } });

    const md = await app.inject({ method: 'GET', url: `/v1/documents/${id}/result?format=md` });
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.body).toBe('# Paper\n\nText.\n');
    const json = await app.inject({ method: 'GET', url: `/v1/documents/${id}/result?format=json` });
    expect(json.json()).toEqual({ pages: [] });
    expect((await app.inject({ method: 'GET', url: `/v1/documents/${id}` })).json()).toMatchObject({ status: 'completed', pageCount: 2, pagesDone: 2, outputs: ['md', 'json'] });
  });

  it('accepts a raw body with ?filename=', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/documents?filename=scan.pdf', payload: PDF, headers: { 'content-type': 'application/pdf' } });
    expect(res.statusCode).toBe(202);
    const status = await app.inject({ method: 'GET', url: `/v1/documents/${res.json<{ id: string }>().id}` });
    expect(status.json()).toMatchObject({ fileName: 'scan.pdf', status: 'queued' });
  });

  it('422 with the reason when the document failed', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/documents', payload: PDF, headers: { 'content-type': 'application/pdf' } });
    const { id } = res.json<{ id: string }>();
    await updateJobRecord(bus, id, { status: 'failed', error: { stage: 'render', code: 'ENCRYPTED_PDF', reason: 'the PDF is encrypted (password protected)' } });
    const failed = await app.inject({ method: 'GET', url: `/v1/documents/${id}/result` });
    expect(failed.statusCode).toBe(422);
    expect(failed.json()).toMatchObject({
      error: { code: 'DOCUMENT_FAILED', failure: { stage: 'render', code: 'ENCRYPTED_PDF', reason: 'the PDF is encrypted (password protected)' } },
      document: { id, status: 'failed' },
    });
  });

  it.each([
    ['an oversized raw body', { payload: Buffer.alloc(LIMIT + 1, 0x25), headers: { 'content-type': 'application/pdf' } }, 413, 'FILE_TOO_LARGE'],
    ['an oversized multipart file', multipart('file', 'big.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(LIMIT, 0x20)])), 413, 'FILE_TOO_LARGE'],
    ['an empty raw body', { payload: Buffer.alloc(0), headers: { 'content-type': 'application/pdf' } }, 400, 'EMPTY_FILE'],
    ['an empty multipart file', multipart('file', 'empty.pdf', 'application/pdf', Buffer.alloc(0)), 400, 'EMPTY_FILE'],
    ['no body at all', {}, 400, 'EMPTY_FILE'],
    ['a text file', { payload: Buffer.from('just some notes'), headers: { 'content-type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a JSON body', { payload: { hello: 'world' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a zip sent as a PDF', { payload: Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), headers: { 'content-type': 'application/pdf' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['the wrong multipart field', multipart('document', 'a.pdf', 'application/pdf', PDF), 400, 'BAD_REQUEST'],
  ])('rejects %s', async (_name, request, status, code) => {
    const res = await app.inject({ method: 'POST', url: '/v1/documents', ...request });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    expect((await bus.jsm.streams.info('PL_DOCS')).state.messages).toBe(0);
  });

  it.each([['pages=5-1'], ['lang=fr'], ['format=pdf'], ['priority=urgent'], ['features=table:maybe']])('rejects the option %s with 400', async (query) => {
    const res = await app.inject({ method: 'POST', url: `/v1/documents?${query}`, payload: PDF, headers: { 'content-type': 'application/pdf' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_OPTION' } });
  });

  it('404 for unknown documents and routes', async () => {
    for (const url of ['/v1/documents/unknown-doc', '/v1/documents/unknown-doc/result', '/v1/documents/bad%24id']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'DOCUMENT_NOT_FOUND' } });
    }
    const route = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(route.statusCode).toBe(404);
    expect(route.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('counts requests by route pattern and status, errors and latency, without document ids in labels', async () => {
    await app.inject({ method: 'GET', url: '/v1/documents/some-doc-id' });
    await app.inject({ method: 'GET', url: '/v2/nothing' });
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/^pl_http_requests_total\{method="GET",route="\/v1\/documents\/:id",status="404"\} [1-9]/m);
    expect(body).toMatch(/^pl_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    expect(body).toMatch(/^pl_http_request_seconds_count\{method="GET",route="\/v1\/documents\/:id"\} [1-9]/m);
    expect(body).not.toContain('some-doc-id');
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    await bus.close();
    const notReady = await app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ ok: false, notReady: ['nats'] });
  });
});

describe('gateway documentation', () => {
  it('the user guide lists every gateway error code', () => {
    const guide = readFileSync(new URL('../../../docs/user-guide.md', import.meta.url), 'utf8');
    for (const code of Object.keys(GatewayErrorCodes)) expect(guide, code).toContain(`\`${code}\``);
  });
});
