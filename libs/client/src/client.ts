import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Bus, type ConnectOptions } from '@paperline/bus';
import { JobStore, type JobWatch } from '@paperline/jobs';
import {
  ASSET_OUTPUT_PREFIX,
  DocIdSchema,
  DocOptionsSchema,
  DocSubmitSchema,
  MsgIds,
  ObjectNames,
  ObjectStores,
  PaperlineError,
  SCHEMA_VERSION,
  Subjects,
  encode,
  validate,
  type DocOptionsInput,
  type DocSubmit,
  type JobRecord,
  type OutputFormat,
} from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_RESULT_BYTES } from './config.js';
import { newDocId } from './doc-id.js';
import { ClientError } from './errors.js';
import { isSupportedMediaType, normalizeMediaType, sniffMediaType } from './media-type.js';

export interface PaperlineClientOptions {
  bus: Bus;
  /** Close the bus on close() (set by connect()). @default false */
  ownsBus?: boolean;
  /** @default DEFAULT_MAX_FILE_BYTES */
  maxFileBytes?: number;
  /** @default DEFAULT_MAX_RESULT_BYTES */
  maxResultBytes?: number;
  log?: Logger;
}

export interface SubmitOptions {
  /** The name results are reported under. @default the path's base name; required for bytes */
  fileName?: string;
  /** The declared type (Content-Type); the magic bytes decide, this only improves the error message. */
  mediaType?: string;
  options?: DocOptionsInput;
  /** @default a new random id (newDocId) */
  docId?: string;
}

export interface WaitOptions {
  /** Gives up with WAIT_TIMEOUT after this long. @default no limit */
  timeoutMs?: number;
  /** Called with every new version of the job record (pages done, status). */
  onProgress?: (job: JobRecord) => void;
  signal?: AbortSignal;
}

const FINAL_STATUSES = new Set<JobRecord['status']>(['completed', 'failed']);

export function isFinished(job: JobRecord): boolean {
  return FINAL_STATUSES.has(job.status);
}

/** Submits documents to a paperline cluster and reads their progress and results back. */
export class PaperlineClient {
  readonly bus: Bus;
  private readonly ownsBus: boolean;
  private readonly maxFileBytes: number;
  private readonly maxResultBytes: number;
  private readonly log: Logger | undefined;
  private readonly watchers = new Set<JobWatch>();
  private jobStore: Promise<JobStore> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: PaperlineClientOptions) {
    this.bus = options.bus;
    this.ownsBus = options.ownsBus ?? false;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxResultBytes = options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.log = options.log;
  }

  static async connect(options: ConnectOptions & Omit<PaperlineClientOptions, 'bus' | 'ownsBus'>): Promise<PaperlineClient> {
    const bus = await Bus.connect(options);
    return new PaperlineClient({ ...options, bus, ownsBus: true });
  }

  /**
   * Checks the input (size, media type by magic bytes), registers the job (queued), stores the
   * bytes and publishes the submit message. Returns the document id.
   */
  async submit(input: Uint8Array | string, options: SubmitOptions = {}): Promise<string> {
    this.assertOpen();
    const fileName = options.fileName ?? (typeof input === 'string' ? basename(input) : undefined);
    if (!fileName) throw new ClientError('INVALID_OPTION', 'fileName is required when submitting bytes');
    const bytes = typeof input === 'string' ? await this.readInput(input) : input;
    this.checkSize(fileName, bytes.length);
    const mediaType = this.checkMediaType(fileName, bytes, options.mediaType);
    const docOptions = validateOptions(options.options ?? {});
    const docId = options.docId ?? newDocId();
    if (!DocIdSchema.safeParse(docId).success) throw new ClientError('INVALID_OPTION', `docId "${docId}" must be 6-64 characters of [A-Za-z0-9_-]`);

    const submittedAt = new Date().toISOString();
    const object = ObjectNames.document(docId);
    // encoded (and so validated) before anything is written
    const message = encodeSubmit({ v: SCHEMA_VERSION, docId, object, fileName, mediaType, bytes: bytes.length, options: docOptions, submittedAt });
    const jobs = await this.jobs();
    try {
      await jobs.create({ docId, fileName, options: docOptions, submittedAt });
    } catch (error) {
      if (isWrongLastSequence(error)) throw new ClientError('DUPLICATE_DOCUMENT_ID', docId, { cause: error });
      throw new ClientError('SUBMIT_FAILED', `${fileName}: ${(error as Error).message}`, { cause: error });
    }
    try {
      await this.bus.putObject(ObjectStores.documents, object, bytes);
      await this.bus.publish(Subjects.submitOf(docOptions.priority), message, { msgId: MsgIds.submit(docId) });
    } catch (error) {
      // nothing will ever process this document: leave no queued record or orphan bytes behind
      await jobs.remove(docId).catch(() => undefined);
      await this.bus.deleteObject(ObjectStores.documents, object).catch(() => undefined);
      throw new ClientError('SUBMIT_FAILED', `${fileName}: ${(error as Error).message}`, { cause: error });
    }
    this.log?.info({ docId, fileName, mediaType, bytes: bytes.length }, 'document submitted');
    return docId;
  }

  /** The document's job record; DOCUMENT_NOT_FOUND when there is none (unknown or expired). */
  async status(docId: string): Promise<JobRecord> {
    this.assertOpen();
    if (!DocIdSchema.safeParse(docId).success) throw new ClientError('DOCUMENT_NOT_FOUND', docId);
    const job = await (await this.jobs()).get(docId);
    if (!job) throw new ClientError('DOCUMENT_NOT_FOUND', docId);
    return job;
  }

  /** The output of a completed document; NOT_READY or DOCUMENT_FAILED (with the job) otherwise. */
  async result(docId: string, format: OutputFormat): Promise<Uint8Array> {
    const job = await this.status(docId);
    if (job.status === 'failed') throw new ClientError('DOCUMENT_FAILED', job.error ? `${job.error.code}: ${job.error.reason}` : docId, { job });
    if (job.status !== 'completed') throw new ClientError('NOT_READY', `${docId} is ${job.status}`, { job });
    const object = job.outputs[format] ?? ObjectNames.output(docId, format);
    try {
      return await this.bus.getObject(ObjectStores.outputs, object, { maxBytes: this.maxResultBytes });
    } catch (error) {
      throw new ClientError('OUTPUT_NOT_FOUND', `${docId} has no ${format} output (requested: ${job.options.outputFormats.join(', ')})`, { cause: error, job });
    }
  }

  /** The images a finished document links to (`assets/<name>` in its Markdown and JSON). */
  async assets(docId: string): Promise<Array<{ name: string; data: Uint8Array }>> {
    const job = await this.status(docId);
    const assets: Array<{ name: string; data: Uint8Array }> = [];
    for (const [key, object] of Object.entries(job.outputs)) {
      if (!key.startsWith(ASSET_OUTPUT_PREFIX)) continue;
      assets.push({ name: key.slice(ASSET_OUTPUT_PREFIX.length), data: await this.bus.getObject(ObjectStores.outputs, object, { maxBytes: this.maxResultBytes }) });
    }
    return assets;
  }

  /**
   * Resolves with the final job record (completed or failed: a failure is a result here, its
   * reason is in `error`). Watches the KV key, so progress arrives as it is written.
   */
  async wait(docId: string, options: WaitOptions = {}): Promise<JobRecord> {
    const current = await this.status(docId);
    if (isFinished(current)) {
      options.onProgress?.(current);
      return current;
    }
    // the watch delivers the current value first, then every update
    const watcher = await (await this.jobs()).watch(docId);
    this.watchers.add(watcher);
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), watcher.stop()), options.timeoutMs);
    const onAbort = () => watcher.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const job of watcher) {
        if (!job) throw new ClientError('DOCUMENT_NOT_FOUND', `${docId} was deleted`);
        options.onProgress?.(job);
        if (isFinished(job)) return job;
      }
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      watcher.stop();
      this.watchers.delete(watcher);
    }
    options.signal?.throwIfAborted();
    if (timedOut) throw new ClientError('WAIT_TIMEOUT', `${docId} after ${options.timeoutMs} ms`);
    throw new ClientError('CLIENT_CLOSED', `stopped waiting for ${docId}`);
  }

  /** Resolves when the server answers a round trip (readiness probes). */
  async ping(): Promise<void> {
    this.assertOpen();
    await this.bus.nc.flush();
  }

  /** Stops every wait, then closes the connection if this client opened it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const watcher of this.watchers) watcher.stop();
      this.watchers.clear();
      if (this.ownsBus) await this.bus.close();
    })();
    return this.closing;
  }

  private jobs(): Promise<JobStore> {
    this.jobStore ??= JobStore.open(this.bus);
    return this.jobStore;
  }

  private assertOpen(): void {
    if (this.closing) throw new ClientError('CLIENT_CLOSED');
  }

  private async readInput(path: string): Promise<Uint8Array> {
    // the size is checked before reading, so a huge file is refused without loading it
    const info = await stat(path);
    if (!info.isFile()) throw new ClientError('INVALID_OPTION', `${path} is not a file`);
    this.checkSize(basename(path), info.size);
    return readFile(path);
  }

  private checkSize(fileName: string, size: number): void {
    if (size === 0) throw new PaperlineError('EMPTY_FILE', fileName);
    if (size > this.maxFileBytes) throw new PaperlineError('FILE_TOO_LARGE', `${fileName} is ${size} bytes, the limit is ${this.maxFileBytes}`);
  }

  private checkMediaType(fileName: string, bytes: Uint8Array, declared: string | undefined): string {
    const sniffed = sniffMediaType(bytes);
    if (sniffed) return sniffed;
    const type = normalizeMediaType(declared);
    const claim = type ? ` (declared ${type}${isSupportedMediaType(type) ? ', but the content is not' : ''})` : '';
    throw new PaperlineError('UNSUPPORTED_MEDIA_TYPE', `${fileName}${claim}: expected a PDF, PNG, JPEG, WebP or TIFF file`);
  }
}

/** kv.create's answer when the key exists: the compare-and-set found another revision. */
function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

function encodeSubmit(submit: DocSubmit): Uint8Array {
  try {
    return encode(DocSubmitSchema, submit);
  } catch (error) {
    throw new ClientError('INVALID_OPTION', (error as Error).message, { cause: error });
  }
}

function validateOptions(options: DocOptionsInput) {
  try {
    return validate(DocOptionsSchema, options);
  } catch (error) {
    throw new ClientError('INVALID_OPTION', (error as Error).message, { cause: error });
  }
}
