import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL_HINT, NatsServerError, NatsServerErrorCodes } from './errors.js';

const run = promisify(execFile);

/** Oldest server whose JetStream, KV, object store and pull consumers the project relies on. */
export const MIN_SERVER_VERSION = [2, 9, 0] as const;
/** The release fetched where Debian's package manager is not available. */
export const RELEASE_VERSION = '2.10.29';

export interface LocatedServer {
  path: string;
  version: string;
  source: 'env' | 'path' | 'cache' | 'debian-package' | 'release-download';
}

export interface LocateOptions {
  /** Project-local cache where a provisioned binary is kept. @default `<repo>/.cache/nats-server` */
  cacheDir?: string;
  /** Download or unpack a server when none is found. @default true */
  provision?: boolean;
  log?: (line: string) => void;
}

const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);
export const DEFAULT_CACHE_DIR = join(repoRoot, '.cache', 'nats-server');

export async function serverVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
  const match = /v?(\d+\.\d+\.\d+)/.exec(stdout);
  if (!match?.[1]) throw new NatsServerError(NatsServerErrorCodes.NOT_FOUND, `cannot read the version of ${binary}: ${stdout}`);
  return match[1];
}

export function isSupportedVersion(version: string): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < MIN_SERVER_VERSION.length; i++) {
    const have = parts[i] ?? 0;
    const need = MIN_SERVER_VERSION[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

function onPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'nats-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function inCache(cacheDir: string): string | undefined {
  const candidate = join(cacheDir, 'bin', 'nats-server');
  return existsSync(candidate) ? candidate : undefined;
}

async function checked(path: string, source: LocatedServer['source']): Promise<LocatedServer> {
  const version = await serverVersion(path);
  if (!isSupportedVersion(version)) {
    throw new NatsServerError(
      NatsServerErrorCodes.TOO_OLD,
      `${path} is nats-server ${version}; ${MIN_SERVER_VERSION.join('.')} or newer is needed.\n${INSTALL_HINT}`,
    );
  }
  return { path, version, source };
}

export interface DebianBinaryOptions {
  /** Debian package name, e.g. `nats-server` or `prometheus`. */
  pkg: string;
  /** The binary inside the package, looked for in usr/sbin and usr/bin. */
  binary: string;
  /** Where it is copied to, as `<cacheDir>/bin/<binary>`. */
  cacheDir: string;
  log: (line: string) => void;
}

/**
 * Unpacks a Debian package's binary into a project cache without installing it system-wide
 * (`apt-get download` + `dpkg-deb -x`); undefined where apt is missing or the package cannot be had.
 * Used for nats-server here and for Prometheus by @paperline/prometheus.
 */
export async function provisionDebianBinary(options: DebianBinaryOptions): Promise<string | undefined> {
  const { pkg, binary: name, cacheDir, log } = options;
  if (process.platform !== 'linux') return undefined;
  try {
    await run('apt-get', ['--version']);
    await run('dpkg-deb', ['--version']);
  } catch {
    return undefined;
  }
  const work = mkdtempSync(join(tmpdir(), `pl-${pkg}-deb-`));
  try {
    const download = () => run('apt-get', ['download', pkg], { cwd: work, timeout: 180_000 });
    try {
      await download();
    } catch (first) {
      if (process.getuid?.() !== 0) throw first;
      log('apt-get download failed; refreshing the package lists once');
      await run('apt-get', ['update', '-qq'], { timeout: 300_000 });
      await download();
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) return undefined;
    const unpacked = join(work, 'root');
    await run('dpkg-deb', ['-x', join(work, deb), unpacked]);
    const binary = ['sbin', 'bin'].map((dir) => join(unpacked, 'usr', dir, name)).find((p) => existsSync(p));
    if (!binary) {
      log(`${deb} holds no usr/sbin/${name} or usr/bin/${name}`);
      return undefined;
    }
    mkdirSync(join(cacheDir, 'bin'), { recursive: true });
    const target = join(cacheDir, 'bin', name);
    copyFileSync(binary, target);
    chmodSync(target, 0o755);
    writeFileSync(join(cacheDir, 'SOURCE'), `debian package ${deb}\n`);
    return target;
  } catch (error) {
    log(`could not unpack Debian's ${pkg} package: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Fetches the official release build: for machines without Debian's package manager. */
async function provisionFromRelease(cacheDir: string, log: (line: string) => void): Promise<string | undefined> {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform as string];
  if (!arch || !os) return undefined;
  const name = `nats-server-v${RELEASE_VERSION}-${os}-${arch}`;
  const url = `https://github.com/nats-io/nats-server/releases/download/v${RELEASE_VERSION}/${name}.tar.gz`;
  const work = mkdtempSync(join(tmpdir(), 'pl-nats-rel-'));
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const archive = join(work, 'server.tar.gz');
    writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
    await run('tar', ['-xzf', archive, '-C', work]);
    mkdirSync(join(cacheDir, 'bin'), { recursive: true });
    const target = join(cacheDir, 'bin', 'nats-server');
    copyFileSync(join(work, name, 'nats-server'), target);
    chmodSync(target, 0o755);
    writeFileSync(join(cacheDir, 'SOURCE'), `${url}\n`);
    return target;
  } catch (error) {
    log(`could not download ${url}: ${(error as Error).message}`);
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Finds a usable nats-server: NATS_SERVER_BIN, then PATH, then the project cache; where none
 * is found it provisions one into the cache (Debian's package, else the release build).
 */
export async function locateNatsServer(options: LocateOptions = {}): Promise<LocatedServer> {
  const cacheDir = options.cacheDir ?? process.env['PAPERLINE_NATS_CACHE'] ?? DEFAULT_CACHE_DIR;
  const log = options.log ?? (() => undefined);
  const fromEnv = process.env['NATS_SERVER_BIN'];
  if (fromEnv) return checked(fromEnv, 'env');
  const found = onPath();
  if (found) {
    try {
      return await checked(found, 'path');
    } catch (error) {
      log((error as Error).message.split('\n')[0] ?? '');
    }
  }
  const cached = inCache(cacheDir);
  if (cached) return checked(cached, 'cache');
  if (options.provision === false) {
    throw new NatsServerError(NatsServerErrorCodes.NOT_FOUND, `no nats-server found.\n${INSTALL_HINT}`);
  }
  const fromDebian = await provisionDebianBinary({ pkg: 'nats-server', binary: 'nats-server', cacheDir, log });
  if (fromDebian) return checked(fromDebian, 'debian-package');
  const fromRelease = await provisionFromRelease(cacheDir, log);
  if (fromRelease) return checked(fromRelease, 'release-download');
  throw new NatsServerError(NatsServerErrorCodes.NOT_FOUND, `no nats-server found and none could be provisioned.\n${INSTALL_HINT}`);
}
