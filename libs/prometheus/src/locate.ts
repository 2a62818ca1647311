// Finds a Prometheus for the monitoring tests the way libs/nats-server finds nats-server:
// PROMETHEUS_BIN, then PATH, then the project cache, else Debian's package unpacked into the
// cache (`apt-get download prometheus`, 2.42 on bookworm). Nothing is installed system-wide.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { provisionDebianBinary } from '@paperline/nats-server';

const run = promisify(execFile);

const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);
export const DEFAULT_PROMETHEUS_CACHE_DIR = join(repoRoot, '.cache', 'prometheus');

export interface LocatedPrometheus {
  path: string;
  version: string;
  source: 'env' | 'path' | 'cache' | 'debian-package';
}

export interface LocatePrometheusOptions {
  /** @default `<repo>/.cache/prometheus` */
  cacheDir?: string;
  /** Unpack Debian's package when none is found. @default true */
  provision?: boolean;
  log?: (line: string) => void;
}

export async function prometheusVersion(binary: string): Promise<string> {
  const { stdout, stderr } = await run(binary, ['--version'], { timeout: 10_000 });
  const match = /version (\d+\.\d+\.\d+)/.exec(stdout + stderr);
  if (!match?.[1]) throw new Error(`cannot read the version of ${binary}`);
  return match[1];
}

function onPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'prometheus');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A Prometheus binary, or undefined (with the reason logged) where none can be had. */
export async function locatePrometheus(options: LocatePrometheusOptions = {}): Promise<LocatedPrometheus | undefined> {
  const log = options.log ?? (() => undefined);
  const cacheDir = options.cacheDir ?? process.env['PAPERLINE_PROMETHEUS_CACHE'] ?? DEFAULT_PROMETHEUS_CACHE_DIR;
  const candidates: [string | undefined, LocatedPrometheus['source']][] = [
    [process.env['PROMETHEUS_BIN'], 'env'],
    [onPath(), 'path'],
    [existsSync(join(cacheDir, 'bin', 'prometheus')) ? join(cacheDir, 'bin', 'prometheus') : undefined, 'cache'],
  ];
  for (const [path, source] of candidates) {
    if (!path) continue;
    try {
      return { path, version: await prometheusVersion(path), source };
    } catch (error) {
      log(`${path}: ${(error as Error).message}`);
    }
  }
  if (options.provision === false) return undefined;
  const unpacked = await provisionDebianBinary({ pkg: 'prometheus', binary: 'prometheus', cacheDir, log });
  return unpacked ? { path: unpacked, version: await prometheusVersion(unpacked), source: 'debian-package' } : undefined;
}
