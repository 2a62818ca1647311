// Five concurrent 200 MB uploads through the gateway process (a real one, as deployed): the
// bytes are generated as they are sent and streamed into the object store, so the gateway's
// resident memory stays far below the sum. RSS is read from /proc/<pid>/status while uploading.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { ObjectNames, ObjectStores } from '@paperline/contracts';
import { freePort } from '@paperline/nats-server';
import { startTestServer, type TestServer } from '@paperline/testing';

const UPLOADS = 5;
const UPLOAD_BYTES = 200_000_000;
const RSS_LIMIT_BYTES = 300 * 1024 * 1024;
const GATEWAY_MAIN = join(import.meta.dirname, '..', '..', 'services', 'gateway', 'src', 'main.ts');

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Streams `size` bytes that start as a PDF, generated chunk by chunk with backpressure. */
function upload(url: string, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/documents?filename=big.pdf`, { method: 'POST', headers: { 'content-type': 'application/pdf', 'content-length': String(size) } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const piece = sent === 0 ? Buffer.concat([Buffer.from('%PDF-1.7\n'), chunk.subarray(9)]) : chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe.skipIf(!existsSync('/proc/self/status'))('gateway memory under concurrent large uploads', () => {
  let server: TestServer;
  let gateway: ChildProcess;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    await provisionTopology(bus.nc, buildTopology());
    await bus.close();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = spawn(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', GATEWAY_MAIN], {
      env: { ...process.env, NATS_URL: server.url, PL_HTTP_HOST: '127.0.0.1', PL_HTTP_PORT: String(port), PL_HTTP_MAX_CONCURRENT_UPLOADS_PER_KEY: String(UPLOADS), PL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error('the gateway did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);
  afterAll(async () => {
    if (gateway && gateway.exitCode === null) await new Promise((resolve) => (gateway.once('exit', resolve), gateway.kill('SIGTERM')));
    await server?.stop();
  });

  it(`${UPLOADS} concurrent ${UPLOAD_BYTES / 1e6} MB uploads keep the gateway under ${RSS_LIMIT_BYTES / 1024 / 1024} MiB RSS`, async () => {
    const pid = gateway.pid!;
    const before = rssOf(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    const started = Date.now();
    let results: Array<{ status: number; body: string }>;
    try {
      results = await Promise.all(Array.from({ length: UPLOADS }, () => upload(url, UPLOAD_BYTES)));
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    const after = rssOf(pid);
    process.stdout.write(
      `gateway RSS: before ${(before / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB, after ${(after / 2 ** 20).toFixed(0)} MiB; ` +
        `${UPLOADS} x ${UPLOAD_BYTES / 1e6} MB in ${seconds.toFixed(1)} s (${((UPLOADS * UPLOAD_BYTES) / 1e6 / seconds).toFixed(0)} MB/s)\n`,
    );
    for (const result of results) expect(result.status, result.body).toBe(202);
    const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    try {
      for (const result of results) {
        const { id } = JSON.parse(result.body) as { id: string };
        expect(await bus.objectSize(ObjectStores.documents, ObjectNames.document(id))).toBe(UPLOAD_BYTES);
      }
    } finally {
      await bus.close();
    }
    expect(peak).toBeLessThan(RSS_LIMIT_BYTES);
  }, 600_000);
});
