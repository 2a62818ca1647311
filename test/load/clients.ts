// Closed-loop load clients: each submits a document, waits until its result can be read, reads it,
// and submits the next, until a deadline or a number of documents each. Through the HTTP gateway
// (each client its own API key and connection) or through NATS (each client its own
// PaperlineClient: object store, job record, the submit subject). End-to-end latency is from the
// submit's start to the result read whole.
import { setTimeout as sleep } from 'node:timers/promises';
import { PaperlineClient } from '@paperline/client';
import type { ApiKeyPair } from './processes.js';

export interface LoadDocument {
  /** Label in the figures (`pdf`, `image`). */
  kind: string;
  fileName: string;
  mediaType: string;
  bytes: Uint8Array;
  pages: number;
  /** Text the Markdown must contain: a result without it counts as WRONG_OUTPUT. */
  expect: string;
}

export interface Completion {
  kind: string;
  pages: number;
  latencyMs: number;
  /** Since the run's start. */
  completedAtMs: number;
}

export interface LoadResult {
  clients: number;
  /** The run's length: its seconds, or without them until the last client was done. */
  windowMs: number;
  /** Until the last in-flight document was done. */
  totalMs: number;
  submitted: number;
  completions: Completion[];
  /** Documents that failed, by code (a failed document's code, an HTTP error's, a client error's). */
  errors: Map<string, number>;
  /** Submits the gateway refused for now (429) and that were tried again after its Retry-After. */
  refusals: Map<string, number>;
}

export interface LoadOptions {
  clients: number;
  /** Each client takes these in turn, client i starting at document i. */
  documents: readonly LoadDocument[];
  /** Stop submitting after this long ... */
  seconds?: number;
  /** ... or after this many documents per client. */
  perClient?: number;
  /** Gives one document up (WAIT_TIMEOUT) after this long. @default 600_000 */
  documentTimeoutMs?: number;
}

export interface HttpLoadOptions extends LoadOptions {
  gatewayUrl: string;
  keys: readonly ApiKeyPair[];
  /** How often a client asks for its result. @default 250 */
  pollMs?: number;
}

export interface NatsLoadOptions extends LoadOptions {
  natsUrl: string;
}

/** A document's failure with the code it is counted under. */
class LoadFailure extends Error {
  override readonly name = 'LoadFailure';
  constructor(readonly code: string) {
    super(code);
  }
}

/** After a failure a client waits this long: a broken pipeline must not turn the clients into a busy loop. */
const AFTER_FAILURE_MS = 100;
export const DEFAULT_POLL_MS = 250;
const DEFAULT_DOCUMENT_TIMEOUT_MS = 600_000;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'UNKNOWN';
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function checkOutput(document: LoadDocument, markdown: string): void {
  if (!markdown.includes(document.expect)) throw new LoadFailure('WRONG_OUTPUT');
}

/** One client's document: submit, wait, read the result (throws a LoadFailure or the client's error). */
type DocumentRun = (client: number, document: LoadDocument, refusals: Map<string, number>) => Promise<void>;

async function runLoad(options: LoadOptions, run: DocumentRun): Promise<LoadResult> {
  if (options.seconds === undefined && options.perClient === undefined) throw new Error('a load run needs seconds or perClient');
  const started = performance.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const completions: Completion[] = [];
  const errors = new Map<string, number>();
  const refusals = new Map<string, number>();
  let submitted = 0;
  const client = async (index: number) => {
    for (let k = 0; performance.now() < deadline && (options.perClient === undefined || k < options.perClient); k++) {
      const document = options.documents[(index + k) % options.documents.length]!;
      const begin = performance.now();
      submitted++;
      try {
        await run(index, document, refusals);
        const end = performance.now();
        completions.push({ kind: document.kind, pages: document.pages, latencyMs: end - begin, completedAtMs: end - started });
      } catch (error) {
        count(errors, codeOf(error));
        await sleep(AFTER_FAILURE_MS);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  const end = performance.now();
  return {
    clients: options.clients,
    windowMs: options.seconds === undefined ? end - started : options.seconds * 1000,
    totalMs: end - started,
    submitted,
    completions,
    errors,
    refusals,
  };
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; failure?: { code?: string } } } | undefined;
  return body?.error?.failure?.code ?? body?.error?.code ?? `HTTP_${response.status}`;
}

export function runHttpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  if (options.keys.length < options.clients) throw new Error(`${options.clients} clients need as many API keys, got ${options.keys.length}`);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const timeoutMs = options.documentTimeoutMs ?? DEFAULT_DOCUMENT_TIMEOUT_MS;
  return runLoad(options, async (client, document, refusals) => {
    const authorization = `Bearer ${options.keys[client]!.token}`;
    const deadline = performance.now() + timeoutMs;
    let id: string | undefined;
    while (id === undefined) {
      const response = await fetch(`${options.gatewayUrl}/v1/documents?filename=${encodeURIComponent(document.fileName)}`, {
        method: 'POST',
        headers: { authorization, 'content-type': document.mediaType },
        body: document.bytes,
      });
      if (response.status === 202) id = ((await response.json()) as { id: string }).id;
      else if (response.status === 429) {
        count(refusals, await errorCode(response));
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      } else throw new LoadFailure(await errorCode(response));
    }
    for (;;) {
      const response = await fetch(`${options.gatewayUrl}/v1/documents/${id}/result?format=md`, { headers: { authorization } });
      if (response.status === 200) return checkOutput(document, await response.text());
      const code = await errorCode(response);
      if (code !== 'NOT_READY') throw new LoadFailure(code);
      if (performance.now() > deadline) throw new LoadFailure('WAIT_TIMEOUT');
      await sleep(pollMs);
    }
  });
}

export async function runNatsLoad(options: NatsLoadOptions): Promise<LoadResult> {
  const timeoutMs = options.documentTimeoutMs ?? DEFAULT_DOCUMENT_TIMEOUT_MS;
  const clients = await Promise.all(
    Array.from({ length: options.clients }, (_, i) => PaperlineClient.connect({ servers: options.natsUrl, name: `load-client-${i + 1}`, waitOnFirstConnect: false })),
  );
  try {
    return await runLoad(options, async (client, document) => {
      const paperline = clients[client]!;
      const docId = await paperline.submit(document.bytes, { fileName: document.fileName, mediaType: document.mediaType });
      const job = await paperline.wait(docId, { timeoutMs });
      if (job.status !== 'completed') throw new LoadFailure(job.error?.code ?? job.status.toUpperCase());
      if (job.pageCount !== document.pages) throw new LoadFailure('WRONG_PAGE_COUNT');
      checkOutput(document, new TextDecoder().decode(await paperline.result(docId, 'md')));
    });
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
