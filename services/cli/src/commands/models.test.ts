// `paperline models list|fetch` in-process, against a generated manifest and a real loopback HTTP mirror.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@paperline/telemetry';
import type { CliContext } from '../context.js';
import { ExitCodes } from '../errors.js';
import { runCli } from '../program.js';

const weights = randomBytes(200_000);

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const ctx: CliContext = {
    stdout: out.stream,
    stderr: err.stream,
    env,
    log: silentLogger(),
    signal: new AbortController().signal,
    natsUrl: () => '',
    config: () => {
      throw new Error('models commands need no cluster config');
    },
  };
  const code = await runCli(args, ctx, {});
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('paperline models', () => {
  let server: Server;
  let mirror: string;
  let manifestPath: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/layout/tiny.onnx') res.writeHead(200, { 'content-length': weights.length }).end(weights);
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    manifestPath = join(mkdtempSync(join(tmpdir(), 'pl-cli-manifest-')), 'manifest.json');
    const models = [
      {
        id: 'tiny-layout',
        stage: 'layout',
        task: 'layout-detection',
        files: [{ path: 'layout/tiny.onnx', bytes: weights.length, sha256: createHash('sha256').update(weights).digest('hex') }],
        license: 'Apache-2.0',
        source: 'generated',
        url: 'https://example.invalid/tiny',
        memoryEstimateBytes: 8 * 1024 * 1024,
      },
    ];
    writeFileSync(manifestPath, JSON.stringify({ models }));
  });
  afterAll(async () => new Promise((done) => server.close(done)));

  it('list shows the model absent and each stage\'s backend; fetch downloads it from the mirror; list then shows it present', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-cli-models-'));
    const env = { PL_MODELS_MANIFEST: manifestPath, PL_MODELS_DIR: dir, PL_MODELS_BASE_URL: mirror };
    const before = await run(['models', 'list', '--json'], env);
    expect(before.code).toBe(ExitCodes.OK);
    const listed = JSON.parse(before.stdout) as { models: Array<{ id: string; present: boolean }>; stages: Array<{ stage: string; backend: string | null; models: string[]; note?: string }> };
    expect(listed.models).toEqual([expect.objectContaining({ id: 'tiny-layout', present: false })]);
    const byStage = Object.fromEntries(listed.stages.map((s) => [s.stage, s]));
    expect(byStage['ocr']).toMatchObject({ backend: 'pp-ocr', models: expect.arrayContaining([expect.stringMatching(/^ppocr-det-/)]) });
    expect(byStage['render']).toMatchObject({ backend: expect.stringMatching(/^(pdfium|pdfjs)\+sharp$/), models: [] });
    // no PP-DocLayout or PP-FormulaNet in this manifest: the model-free backends
    expect(byStage['layout']).toMatchObject({ backend: 'text-layer', models: [] });
    expect(byStage['formula']).toMatchObject({ backend: 'glyphs', models: [] });
    expect(byStage['table']).toMatchObject({ backend: 'rules', models: [] });
    expect(byStage['chart']).toMatchObject({ backend: 'rules', models: [] });
    expect(Object.keys(byStage)).toEqual(['render', 'layout', 'ocr', 'table', 'formula', 'chart', 'assemble']);

    const fetched = await run(['models', 'fetch', 'tiny-layout'], env);
    expect(fetched).toMatchObject({ code: ExitCodes.OK, stdout: `tiny-layout: downloaded ${join(dir, 'layout/tiny.onnx')} (${weights.length} bytes)\n` });
    const after = await run(['models', 'list'], env);
    expect(after.stdout).toMatch(/^tiny-layout\s+layout\s+present\s+hub\s/m);
    expect((await run(['models', 'fetch', '--all'], env)).code).toBe(ExitCodes.OK);
  });

  it('offline, fetch fails with a clear error (exit 69) and leaves nothing in the models dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-cli-models-'));
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const { port } = probe.address() as AddressInfo;
    await new Promise((done) => probe.close(done));
    const run1 = await run(['models', 'fetch', '--all'], { PL_MODELS_MANIFEST: manifestPath, PL_MODELS_DIR: dir, PL_MODELS_BASE_URL: `http://127.0.0.1:${port}` });
    expect(run1.code).toBe(ExitCodes.UNAVAILABLE);
    expect(run1.stderr).toMatch(/^paperline: the model file could not be downloaded: http:\/\/127\.0\.0\.1:\d+\/layout\/tiny\.onnx: ECONNREFUSED\n$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fetch of an unknown id is a usage error; fetch with no ids and no --all too', async () => {
    const env = { PL_MODELS_MANIFEST: manifestPath, PL_MODELS_DIR: mkdtempSync(join(tmpdir(), 'pl-cli-models-')) };
    expect(await run(['models', 'fetch', 'nope'], env)).toMatchObject({ code: ExitCodes.USAGE, stderr: expect.stringContaining("'nope' (known: tiny-layout)") });
    expect((await run(['models', 'fetch'], env)).code).toBe(ExitCodes.USAGE);
  });
});
