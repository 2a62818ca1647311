// The whole pipeline on a nats-server run with the project's own permission configuration
// (deploy/nats/authorization.conf): each stage a real standalone process with its own user, the
// client as `gateway`, provisioning as `admin`. Then what a stage's credentials must not do.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, authorizationConf, buildTopology, inboxPrefixOf, provisionTopology, type NatsAuth } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { Buckets, JobKeys, Subjects } from '@paperline/contracts';
import { startLocalServer, type LocalServer } from '@paperline/nats-server';
import { multiPagePdf } from '@paperline/testing';
import { stageCommand } from '../../services/cli/src/local/stage-process.js';

const AUTHORIZATION = new URL('../../deploy/nats/authorization.conf', import.meta.url);
const USERS = ['admin', 'render', 'layout', 'ocr', 'table', 'formula', 'chart', 'assemble', 'gateway'] as const;
const RUNNING_STAGES = ['render', 'layout', 'ocr', 'assemble'] as const;
type User = (typeof USERS)[number];

const passwords = Object.fromEntries(USERS.map((user) => [user, `p${randomBytes(12).toString('hex')}`])) as Record<User, string>;
const authOf = (user: User): NatsAuth => ({ user, password: passwords[user] });

describe('the pipeline on the permissioned nats-server', () => {
  let dir: string;
  let server: LocalServer;
  const serverLog: string[] = [];
  const stages: ChildProcess[] = [];
  const stageOutput: string[] = [];

  const connect = (user: User) => Bus.connect({ servers: server.url, auth: authOf(user), inboxPrefix: inboxPrefixOf(user), waitOnFirstConnect: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pl-perm-'));
    copyFileSync(AUTHORIZATION, join(dir, 'authorization.conf'));
    writeFileSync(join(dir, 'server.conf'), 'include ./authorization.conf\n');
    for (const user of USERS) process.env[`PL_NATS_${user.toUpperCase()}_PASSWORD`] = passwords[user];
    server = await startLocalServer({ configFile: join(dir, 'server.conf'), storeDir: join(dir, 'store'), onLog: (text) => serverLog.push(text) });
    const admin = await connect('admin');
    await provisionTopology(admin.nc, buildTopology());
    await admin.close();
    for (const stage of RUNNING_STAGES) {
      const child = spawn(process.execPath, stageCommand(stage), {
        env: {
          ...process.env,
          NATS_URL: server.url,
          NATS_USER: stage,
          NATS_PASSWORD: passwords[stage],
          PL_NATS_INBOX_PREFIX: inboxPrefixOf(stage),
          PL_NATS_PROVISION: 'false',
          PL_HEALTH_PORT: '-1',
          PL_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (c: Buffer) => stageOutput.push(`${stage}: ${c.toString()}`));
      child.stderr?.on('data', (c: Buffer) => stageOutput.push(`${stage}: ${c.toString()}`));
      stages.push(child);
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(stages.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('deploy/nats/authorization.conf is the one permissions.ts writes (npm run nats:authorization)', () => {
    expect(readFileSync(AUTHORIZATION, 'utf8')).toBe(authorizationConf());
  });

  it('runs documents to completion with per-stage credentials and no permission violation', async () => {
    const client = new PaperlineClient({ bus: await connect('gateway'), ownsBus: true });
    try {
      const ids = await Promise.all([multiPagePdf(3), multiPagePdf(1)].map((pdf, i) => client.submit(pdf, { fileName: `doc-${i}.pdf` })));
      for (const id of ids) {
        const job = await client.wait(id, { timeoutMs: 90_000 });
        expect(job.status, JSON.stringify(job.error) + stageOutput.join('')).toBe('completed');
        expect(new TextDecoder().decode(await client.result(id, 'md'))).toMatch(/\S/);
      }
      // cancel works with the gateway's credentials too
      const queued = await client.submit(multiPagePdf(1), { fileName: 'cancel.pdf' });
      expect((await client.cancel(queued)).job.status).toMatch(/cancelled|completed/);
    } finally {
      await client.close();
    }
    const violations = serverLog.join('').split('\n').filter((line) => /Violation/i.test(line));
    expect(violations).toEqual([]);
  }, 150_000);

  it("a stage's credentials cannot publish another stage's subjects, read keys it does not own, or steer the control plane", async () => {
    const render = await connect('render');
    const layout = await connect('layout');
    try {
      // render feeds layout, and itself with a long document's continuations; submitting is the gateway's
      await expect(render.publish(Subjects.work('assemble', 'normal'), new Uint8Array([1]))).rejects.toThrow(/permission/i);
      await expect(layout.publish(Subjects.submit, new Uint8Array([1]))).rejects.toThrow(/permission/i);
      await expect(layout.publish(Subjects.dlq('render'), new Uint8Array([1]))).rejects.toThrow(/permission/i);
      // the per-page and per-region keys are assemble's
      const jobs = await layout.kv(Buckets.jobs);
      await expect(jobs.get(JobKeys.region('someDocId', 1, 'r1'))).rejects.toThrow(/permission/i);
      await expect(jobs.put(JobKeys.page('someDocId', 1), new Uint8Array([1]))).rejects.toThrow(/permission/i);
      // a stage reads the control flags, it does not set them
      const control = await render.kv(Buckets.control);
      await expect(control.put('stage.ocr.paused', new TextEncoder().encode('true'))).rejects.toThrow(/permission/i);
      // nor reads the outputs
      await expect(render.getObject('pl-outputs', 'someDocId/document.md')).rejects.toThrow(/permission/i);
    } finally {
      await render.close();
      await layout.close();
    }
  }, 60_000);

  it('a wrong password fails with a message that does not contain it', async () => {
    const wrong = 'Wr0ng-pa55word-value';
    for (const attempt of [
      () => Bus.connect({ servers: server.url, auth: { user: 'render', password: wrong }, waitOnFirstConnect: false }),
      () => Bus.connect({ servers: server.url.replace('nats://', `nats://render:${wrong}@`), waitOnFirstConnect: false }),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/authorization/i);
      expect(error?.message).not.toContain(wrong);
      expect(JSON.stringify(error)).not.toContain(wrong);
      expect(String(error?.stack)).not.toContain(wrong);
    }
  });
});
