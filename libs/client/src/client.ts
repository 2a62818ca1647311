import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Bus, type ConnectOptions } from '@paperline/bus';
import { JobStore, cancelDocument, type CancelReport, type JobWatch } from '@paperline/jobs';
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
  safeFileName,
  Subjects,
  encode,
  isPaperlineError,
  isFinalJobStatus,
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
  /** The submitter's API key id, stored in the job record (the gateway's ownership check). */
  owner?: string;
}

/** A document to submit: its bytes, a path to read, or a stream of its bytes (never held whole). */
export type SubmitInput = Uint8Array | string | AsyncIterable<Uint8Array>;

/** Enough of the head to recognise every supported type (a PDF header may start up to 1 KiB in). */
const SNIFF_BYTES = 1030;

export interface WaitOptions {
  /** Gives up with WAIT_TIMEOUT after this long. @default no limit */
  timeoutMs?: number;
  /** Called with every new version of the job record (pages done, status). */
  onProgress?: (job: JobRecord) => void;
  signal?: AbortSignal;
}

export function isFinished(job: JobRecord): boolean {
  return isFinalJobStatus(job.status);
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
   * Checks the input (size, media type by magic bytes), registers the job (queued), streams the
   * bytes into the object store (a stream is never held whole: at most its first kilobyte and
   * one chunk are in memory) and publishes the submit message. Returns the document id. A stream
   * that runs past maxFileBytes fails with FILE_TOO_LARGE and leaves nothing behind; a full store
   * fails with STORE_FULL, never with a partly stored document.
   */
  async submit(input: SubmitInput, options: SubmitOptions = {}): Promise<string> {
    this.assertOpen();
    const named = options.fileName ?? (typeof input === 'string' ? basename(input) : undefined);
    if (!named) throw new ClientError('INVALID_OPTION', 'fileName is required when submitting bytes');
    const fileName = safeFileName(named);
    const source = typeof input === 'string' ? await this.openInput(input) : input instanceof Uint8Array ? this.checkedBytes(fileName, input) : input;
    const { head, rest } = await readHead(source, SNIFF_BYTES);
    if (head.length === 0) throw new PaperlineError('EMPTY_FILE', fileName);
    this.checkSize(fileName, head.length);
    const mediaType = this.checkMediaType(fileName, head, options.mediaType);
    const docOptions = validateOptions(options.options ?? {});
    const docId = options.docId ?? newDocId();
    if (!DocIdSchema.safeParse(docId).success) throw new ClientError('INVALID_OPTION', `docId "${docId}" must be 6-64 characters of [A-Za-z0-9_-]`);

    const submittedAt = new Date().toISOString();
    const object = ObjectNames.document(docId);
    // validated before anything is written (bytes is known only once the stream ended)
    encodeSubmit({ v: SCHEMA_VERSION, docId, object, fileName, mediaType, bytes: head.length, options: docOptions, submittedAt });
    const jobs = await this.jobs();
    try {
      await jobs.create({ docId, fileName, options: docOptions, submittedAt, ...(options.owner === undefined ? {} : { owner: options.owner }) });
    } catch (error) {
      if (isWrongLastSequence(error)) throw new ClientError('DUPLICATE_DOCUMENT_ID', docId, { cause: error });
      throw submitError(fileName, error);
    }
    let bytes = 0;
    const upload = this.limited(fileName, head, rest);
    try {
      bytes = await this.bus.putObjectStream(ObjectStores.documents, object, upload.stream);
      const message = encodeSubmit({ v: SCHEMA_VERSION, docId, object, fileName, mediaType, bytes, options: docOptions, submittedAt });
      await this.bus.publish(Subjects.submitOf(docOptions.priority), message, { msgId: MsgIds.submit(docId) });
    } catch (error) {
      // nothing will ever process this document: leave no queued record or orphan bytes behind
      await jobs.remove(docId).catch(() => undefined);
      await this.bus.deleteObject(ObjectStores.documents, object).catch(() => undefined);
      // the input's own failure (too large, a cut or malformed upload) is the caller's to report
      throw upload.failure ?? (isPaperlineError(error) ? error : submitError(fileName, error));
    }
    this.log?.info({ docId, fileName, mediaType, bytes }, 'document submitted');
    return docId;
  }

  /**
   * Cancels a queued or running document (see @paperline/jobs cancelDocument): it ends
   * `cancelled`, its pending messages and stored objects are deleted. DOCUMENT_NOT_FOUND when
   * there is none; a document that already finished keeps its state (the report says so).
   */
  async cancel(docId: string): Promise<CancelReport> {
    this.assertOpen();
    if (!DocIdSchema.safeParse(docId).success) throw new ClientError('DOCUMENT_NOT_FOUND', docId);
    const report = await cancelDocument(this.bus, await this.jobs(), docId);
    if (!report) throw new ClientError('DOCUMENT_NOT_FOUND', docId);
    this.log?.info({ docId, status: report.job.status, deletedMessages: report.deletedMessages, deletedObjects: report.deletedObjects }, 'document cancel');
    return report;
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
    if (job.status === 'cancelled') throw new ClientError('DOCUMENT_CANCELLED', docId, { job });
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

  private async openInput(path: string): Promise<AsyncIterable<Uint8Array>> {
    // the size is checked before reading, so a huge file is refused without opening it
    const info = await stat(path);
    if (!info.isFile()) throw new ClientError('INVALID_OPTION', `${path} is not a file`);
    this.checkSize(basename(path), info.size);
    return createReadStream(path);
  }

  private checkedBytes(fileName: string, bytes: Uint8Array): AsyncIterable<Uint8Array> {
    this.checkSize(fileName, bytes.length);
    return (async function* () {
      yield bytes;
    })();
  }

  /**
   * The whole input as a ReadableStream that fails with FILE_TOO_LARGE once past the limit;
   * `failure` keeps what the input itself threw, told apart from the store's errors.
   */
  private limited(fileName: string, head: Uint8Array, rest: AsyncIterator<Uint8Array>): { stream: ReadableStream<Uint8Array>; failure: unknown } {
    let total = 0;
    let sentHead = false;
    const result: { stream: ReadableStream<Uint8Array>; failure: unknown } = { stream: undefined as never, failure: undefined };
    const next = async (): Promise<IteratorResult<Uint8Array>> => {
      try {
        if (!sentHead) {
          sentHead = true;
          return { done: false, value: head };
        }
        const chunk = await rest.next();
        if (chunk.done) return chunk;
        total += chunk.value.length;
        this.checkSize(fileName, total + head.length);
        return chunk;
      } catch (error) {
        result.failure = error;
        throw error;
      }
    };
    result.stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await next();
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel: async () => {
        await rest.return?.();
      },
    });
    return result;
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

/**
 * The first `size` bytes of a stream (fewer if it is shorter), and the iterator of what follows
 * (the head's last chunk may reach past `size`: the remainder travels in the head).
 */
async function readHead(source: AsyncIterable<Uint8Array>, size: number): Promise<{ head: Uint8Array; rest: AsyncIterator<Uint8Array> }> {
  const rest = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < size) {
    const next = await rest.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  return { head: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), rest };
}

/** A store at its byte limit (max_bytes with discard new, or the server's JetStream limits). */
function isStoreFull(error: unknown): boolean {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error && messages.length < 5; e = e.cause) messages.push(e.message);
  return messages.some((m) => /maximum bytes exceeded|insufficient (storage )?resources|maximum messages exceeded|storage limit|no space/i.test(m));
}

function submitError(fileName: string, error: unknown): ClientError {
  if (isStoreFull(error)) return new ClientError('STORE_FULL', `${fileName}: ${(error as Error).message}`, { cause: error });
  return new ClientError('SUBMIT_FAILED', `${fileName}: ${(error as Error).message}`, { cause: error });
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
