// Issue 13's no-crash acceptance: a 2,000-page blank PDF renders under `paperline up` (the built
// stages when `npm run build` made them, as `paperline up` runs them, else the sources through
// tsx) with no stage exit. Render crashed with SIGSEGV four times on it (pdf.js painting every
// blank page on the native canvas); now PDFium sees that nothing is painted on a page and marks it
// blank, with no raster and no OCR.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperlineClient } from '@paperline/client';
import { buildPdf, startTestServer, type TestServer } from '@paperline/testing';
import { stageCommand } from '../src/local/stage-process.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'paperline.js');
const PAGES = 2000;
const STAGES = ['render', 'layout', 'assemble'] as const;

describe('paperline up with a long blank document', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it(`renders a ${PAGES}-page blank PDF with no stage exit`, async () => {
    // each stage binds a free port of its own: the ports after a free one need not be free
    const child = spawn(process.execPath, [BIN, 'up', '--stages', STAGES.join(','), '--health-port', '0'], {
      env: { ...process.env, NATS_URL: server.url, PL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const client = await PaperlineClient.connect({ servers: server.url, waitOnFirstConnect: false });
    try {
      const deadline = Date.now() + 120_000;
      while ((log.match(/stage started/g) ?? []).length < STAGES.length) {
        if (Date.now() > deadline) throw new Error(`the stages did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const docId = await client.submit(buildPdf(Array.from({ length: PAGES }, () => ({}))), { fileName: 'blank.pdf' });
      const job = await client.wait(docId, { timeoutMs: 540_000 });
      const commands = STAGES.map((stage) => `${stage}: ${stageCommand(stage).at(-1)}`).join(', ');
      expect(job.status, `${commands}\n${log}`).toBe('completed');
      expect(job.pagesDone).toHaveLength(PAGES);
      expect(log, commands).not.toMatch(/stage exited/);
    } finally {
      await client.close();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 600_000);
});
