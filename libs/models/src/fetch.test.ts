import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Manifest, ModelError, fetchModel } from './index.js';
import { modelsDir } from '../test/fixtures.js';

const repoManifest = fileURLToPath(new URL('../../../models/manifest.json', import.meta.url));

const payload = randomBytes(300_000);
const sha256 = createHash('sha256').update(payload).digest('hex');

function hubManifest(dir: string, file: { url?: string; sha256?: string; bytes?: number }): Manifest {
  return Manifest.from(
    {
      models: [
        {
          id: 'tiny-layout',
          stage: 'layout',
          task: 'layout-detection',
          files: [{ path: 'layout/tiny.onnx', ...file }],
          license: 'Apache-2.0',
          source: 'generated',
          url: 'https://example.invalid/tiny',
          memoryEstimateBytes: 1_000_000,
        },
      ],
    },
    { modelsDir: dir },
  );
}

/** Every file under dir, relative paths, temporary files included. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

/** A real loopback HTTP server serving the generated payload at /layout/tiny.onnx; returns its base url. */
async function serve(body: Buffer): Promise<string> {
  server = createServer((req, res) => {
    if (req.url !== '/layout/tiny.onnx') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was just listening and is closed now: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

describe('fetchModel', () => {
  it('downloads from the mirror into the models dir, verifies the sha256 and renames into place; a second fetch finds it present', async () => {
    const dir = modelsDir();
    const base = await serve(payload);
    const manifest = hubManifest(dir, { sha256, bytes: payload.length });
    const spec = manifest.get('tiny-layout');
    expect(manifest.isPresent(spec)).toBe(false);
    const [file] = await fetchModel(manifest, spec, { baseUrl: base });
    expect(file).toEqual({ path: join(dir, 'layout/tiny.onnx'), outcome: 'downloaded', bytes: payload.length });
    expect(readFileSync(file!.path).equals(payload)).toBe(true);
    expect(filesUnder(dir)).toEqual(['layout/tiny.onnx']);
    expect(manifest.isPresent(spec)).toBe(true);
    expect((await fetchModel(manifest, spec, { baseUrl: base }))[0]?.outcome).toBe('present');
  });

  it("uses a file's own url over the mirror", async () => {
    const dir = modelsDir();
    const base = await serve(payload);
    const manifest = hubManifest(dir, { url: `${base}/layout/tiny.onnx`, sha256 });
    const [file] = await fetchModel(manifest, manifest.get('tiny-layout'), { baseUrl: 'http://127.0.0.1:1/nothing-here' });
    expect(file?.outcome).toBe('downloaded');
  });

  it('a checksum mismatch fails with CHECKSUM_MISMATCH and leaves nothing in the models dir', async () => {
    const dir = modelsDir();
    const base = await serve(payload);
    const manifest = hubManifest(dir, { sha256: 'a'.repeat(64) });
    const failure = await fetchModel(manifest, manifest.get('tiny-layout'), { baseUrl: base }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).code).toBe('CHECKSUM_MISMATCH');
    expect(filesUnder(dir)).toEqual([]);
    expect(existsSync(join(dir, 'layout'))).toBe(false);
  });

  it('a refused connection (offline) fails with a clear FETCH_FAILED and leaves nothing', async () => {
    const dir = modelsDir();
    const manifest = hubManifest(dir, { sha256 });
    const failure = await fetchModel(manifest, manifest.get('tiny-layout'), { baseUrl: `http://127.0.0.1:${await closedPort()}` }).catch((e: unknown) => e);
    expect((failure as ModelError).code).toBe('FETCH_FAILED');
    expect((failure as Error).message).toMatch(/could not be downloaded: http:\/\/127\.0\.0\.1:\d+\/layout\/tiny\.onnx: ECONNREFUSED/);
    expect(filesUnder(dir)).toEqual([]);
  });

  it('an HTTP error status fails with FETCH_FAILED and leaves nothing', async () => {
    const dir = modelsDir();
    const base = await serve(payload);
    const manifest = hubManifest(dir, {});
    const spec = { ...manifest.get('tiny-layout'), files: [{ path: 'layout/other.onnx' }] };
    await expect(fetchModel(manifest, spec, { baseUrl: base })).rejects.toThrow(/HTTP 404/);
    expect(filesUnder(dir)).toEqual([]);
  });

  it('without a url or a mirror, says where to put the file and where it comes from', async () => {
    const dir = modelsDir();
    const manifest = hubManifest(dir, { sha256 });
    await expect(fetchModel(manifest, manifest.get('tiny-layout'))).rejects.toThrow(/no url in the manifest and models\.baseUrl \(PL_MODELS_BASE_URL\) is not set; place the file at .*layout\/tiny\.onnx \(upstream: https:\/\/example\.invalid\/tiny\)/);
  });

  it("the repository's manifest lists every model the stages can use", async () => {
    const manifest = await Manifest.load(repoManifest);
    const ids = manifest.models.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['ppocr-det-en-v3', 'ppocr-rec-en-v4', 'ppocr-cls-ch-v2', 'pp-doclayout-s', 'pp-doclayout-m', 'pp-doclayout-l', 'pp-doclayout-plus-l', 'slanet', 'slanet-plus', 'pp-formulanet-s', 'pp-formulanet-l']),
    );
    for (const spec of manifest.models) {
      expect(spec.memoryEstimateBytes).toBeGreaterThan(0);
      expect(spec.license).not.toBe('');
    }
  });
});
