// A local Prometheus for tests: a generated config (short scrape interval, the given scrape
// jobs and rule files), a temporary TSDB, a free port on 127.0.0.1; ready when /-/ready answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { stringify } from 'yaml';
import { freePort } from '@paperline/nats-server';
import type { LocatedPrometheus } from './locate.js';

export interface ScrapeJob {
  job: string;
  /** `host:port` of each target. */
  targets: string[];
  /** @default '/metrics' */
  path?: string;
}

export interface LocalPrometheusOptions {
  binary: LocatedPrometheus;
  jobs: ScrapeJob[];
  /** Rule files loaded as they are (alerting and recording rules). */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval. @default '1s' */
  interval?: string;
  /** @default 30_000 */
  startTimeoutMs?: number;
}

export interface LocalPrometheus {
  readonly url: string;
  readonly driver: PrometheusDriver;
  /** An instant query through /api/v1/query. */
  query(expr: string): Promise<QueryResult>;
  /** Resolves once every job has a target whose last scrape succeeded. */
  waitForTargets(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

interface ActiveTarget {
  labels: Record<string, string>;
  health: string;
  lastError?: string;
}

export async function startPrometheus(options: LocalPrometheusOptions): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-prometheus-'));
  const port = await freePort();
  const interval = options.interval ?? '1s';
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: options.jobs.map((j) => ({ job_name: j.job, metrics_path: j.path ?? '/metrics', static_configs: [{ targets: j.targets }] })),
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const child = spawn(
    options.binary.path,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(options.startTimeoutMs ?? 30_000, async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true, () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}: ${stderr}`);
    });
  } catch (error) {
    await stop();
    throw new Error(`prometheus did not become ready: ${(error as Error).message}\n${stderr}`);
  }
  const driver = new PrometheusDriver({ endpoint: url, baseURL: '/api/v1' });
  return {
    url,
    driver,
    query: (expr) => driver.instantQuery(expr),
    async waitForTargets(timeoutMs) {
      await waitUntil(timeoutMs, async () => {
        const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: ActiveTarget[] } };
        const healthy = new Set(body.data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels['job']));
        return options.jobs.every((j) => healthy.has(j.job));
      });
    },
    stop,
  };
}

async function waitUntil(timeoutMs: number, condition: () => Promise<boolean>, check?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check?.();
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveExit();
    });
    child.kill('SIGTERM');
  });
}
