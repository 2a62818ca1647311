// `paperline models fetch`: downloads a model's hub-only files into the models dir. Each file is
// streamed into a temporary file beside its destination, checked against the manifest's size and
// sha256, then renamed into place, so an interrupted or failed download leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ModelError } from './errors.js';
import { sha256File, type Manifest, type ModelFile, type ModelSpec } from './manifest.js';

export interface FetchModelOptions {
  /** A mirror serving files at `<baseUrl>/<manifest path>` (models.baseUrl), for files without a url. */
  baseUrl?: string;
  signal?: AbortSignal;
}

export interface FetchedFile {
  path: string;
  /** packaged: comes with its npm package; present: already there and intact; downloaded: fetched now. */
  outcome: 'packaged' | 'present' | 'downloaded';
  bytes?: number;
}

/** Where a file's download comes from: its own url, else the mirror; undefined when neither is known. */
export function downloadUrl(file: ModelFile, baseUrl: string | undefined): string | undefined {
  if (file.url) return file.url;
  if (!baseUrl) return undefined;
  return `${baseUrl.replace(/\/+$/, '')}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
}

/** Fetches every missing file of one model; a file already present is checked, not fetched again. */
export async function fetchModel(manifest: Manifest, spec: ModelSpec, options: FetchModelOptions = {}): Promise<FetchedFile[]> {
  const results: FetchedFile[] = [];
  for (const file of spec.files) {
    if (file.package) {
      results.push({ path: manifest.resolveFile(file), outcome: 'packaged' });
      continue;
    }
    const target = manifest.localPath(file);
    if (existsSync(target) && (await isIntact(target, file))) {
      results.push({ path: target, outcome: 'present' });
      continue;
    }
    const url = downloadUrl(file, options.baseUrl);
    if (!url) {
      const where = spec.url ? ` (upstream: ${spec.url})` : '';
      throw new ModelError('NO_SOURCE', `${spec.id}: ${file.path} has no url in the manifest and models.baseUrl (PL_MODELS_BASE_URL) is not set; place the file at ${target}${where}`);
    }
    const bytes = await download(url, target, file, options.signal);
    results.push({ path: target, outcome: 'downloaded', bytes });
  }
  return results;
}

async function isIntact(path: string, file: ModelFile): Promise<boolean> {
  if (file.bytes !== undefined && (await stat(path)).size !== file.bytes) return false;
  return file.sha256 === undefined || (await sha256File(path)) === file.sha256;
}

async function download(url: string, target: string, file: ModelFile, signal: AbortSignal | undefined): Promise<number> {
  const dir = dirname(target);
  // the first directory this call creates, removed again if the download fails
  const createdDir = await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(target)}.${randomBytes(4).toString('hex')}.part`);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow' });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ModelError('FETCH_FAILED', `${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { cause: error });
    }
    if (!response.ok || !response.body) throw new ModelError('FETCH_FAILED', `${url}: HTTP ${response.status} ${response.statusText}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), count, createWriteStream(temp, { flags: 'wx' }), { signal });
    } catch (error) {
      throw new ModelError('FETCH_FAILED', `${url}: ${(error as Error).message}`, { cause: error });
    }
    const sha256 = hash.digest('hex');
    if (file.bytes !== undefined && bytes !== file.bytes) throw new ModelError('CHECKSUM_MISMATCH', `${url}: expected ${file.bytes} bytes, got ${bytes}`);
    if (file.sha256 !== undefined && sha256 !== file.sha256) throw new ModelError('CHECKSUM_MISMATCH', `${url}: expected sha256 ${file.sha256}, got ${sha256}`);
    await rename(temp, target);
    return bytes;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (createdDir) await rm(createdDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}
