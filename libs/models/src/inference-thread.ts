// onnxruntime-node's InferenceSession.run() is synchronous on the calling thread: a 5 s
// recognition batch would freeze the stage's event loop (no in-progress acks, no PubAcks, no
// other stage of an embedded pipeline). Sessions therefore live in one worker thread per
// factory; the stage thread only pre- and post-processes, and keeps serving NATS meanwhile.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { ModelError } from './errors.js';
import { buffersOf, fromWire, toWire, type InferenceRunOptions, type WorkerReply, type WorkerRequest } from './inference-wire.js';
import type { OnnxSessionFactoryOptions, SessionFactory } from './session-factory.js';

/** What a stage needs of a session: `run`. Satisfied by RemoteSession (ort.InferenceSession's run takes other options). */
export interface InferenceRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>, options?: InferenceRunOptions): Promise<Record<string, ort.Tensor>>;
}

type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;
type Success = Extract<WorkerReply, { ok: true }>;

interface Pending {
  resolve: (reply: Success) => void;
  reject: (error: Error) => void;
}

/**
 * How to start the worker: its compiled .js next to us, or, when we run from source, the .ts
 * file behind tsx's loader (registered inside the worker: loader flags do not reach workers).
 */
function startWorker(): Worker {
  // not the process's own flags: workers refuse some (--expose-gc) and need none of them
  const options = { name: 'paperline-inference', execArgv: [] as string[] };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./inference-worker.js', import.meta.url), options);
  // tsx's ESM api sits next to the CommonJS one that require.resolve finds (vitest has no import.meta.resolve)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./inference-worker.ts', import.meta.url).href;
  const source = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(source, { ...options, eval: true, execArgv: ['--conditions=@paperline/source'] });
}

/** One worker thread holding sessions; started on first use, restarted after it died. */
export class InferenceThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Bumped when a worker dies: its sessions died with it. */
  private generation = 0;

  constructor(private readonly options: OnnxSessionFactoryOptions = {}) {}

  get currentGeneration(): number {
    return this.generation;
  }

  request(request: Request, transfer: ArrayBuffer[] = []): Promise<Success> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<Success>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      try {
        worker.postMessage({ ...request, id }, transfer);
      } catch (error) {
        this.settle(id);
        reject(error as Error);
      }
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = startWorker();
    const generation = this.generation;
    worker.on('message', (reply: WorkerReply) => {
      const waiting = this.settle(reply.id);
      if (!waiting) return;
      if (reply.ok) waiting.resolve(reply);
      else waiting.reject(rebuild(reply.error));
    });
    const died = (why: string) => {
      if (this.generation !== generation) return;
      this.generation++;
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(new ModelError('LOAD_FAILED', `the inference thread ${why}`));
      }
    };
    worker.on('error', (error) => died(`failed: ${error.message}`));
    worker.on('exit', (code) => died(`exited with code ${code}`));
    worker.postMessage({ op: 'init', id: 0, options: this.options } satisfies WorkerRequest);
    this.worker = worker;
    return worker;
  }

  private settle(id: number): Pending | undefined {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return waiting;
  }
}

function rebuild(error: { name: string; message: string; code?: ModelError['code']; detail?: string }): Error {
  if (error.name === 'ModelError' && error.code) return new ModelError(error.code, error.detail);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

/** A session in the inference thread. Its feeds' buffers are moved there: do not reuse them after run(). */
export class RemoteSession implements InferenceRunner {
  constructor(
    private readonly thread: InferenceThread,
    readonly handle: number,
    private readonly generation: number,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  async run(feeds: Record<string, ort.Tensor>, options: InferenceRunOptions = {}): Promise<Record<string, ort.Tensor>> {
    this.assertAlive();
    for (const [name, t] of Object.entries(feeds)) {
      // node drops a message whose transfer list holds a detached buffer, without an error: it would never be answered
      if (t.data.length !== t.size) throw new Error(`feed ${name} has ${t.data.length} values for ${t.size} elements: its buffer was moved to the inference thread by an earlier run()`);
    }
    const wire = toWire(feeds);
    const request = { op: 'run', handle: this.handle, feeds: wire, ...(options.maxOverLastAxis ? { maxOverLastAxis: options.maxOverLastAxis } : {}) } as const;
    const reply = await this.thread.request(request, buffersOf(wire));
    return fromWire(reply.outputs ?? {});
  }

  get alive(): boolean {
    return this.thread.currentGeneration === this.generation;
  }

  private assertAlive(): void {
    if (!this.alive) throw new ModelError('LOAD_FAILED', 'the inference thread restarted since this session was loaded');
  }
}

/** Sessions created in one inference thread, with the same options and errors as OnnxSessionFactory. */
export class ThreadSessionFactory implements SessionFactory<RemoteSession> {
  private readonly thread: InferenceThread;

  constructor(options: OnnxSessionFactoryOptions = {}) {
    this.thread = new InferenceThread(options);
  }

  async create(files: readonly string[], provider: string): Promise<RemoteSession> {
    const generation = this.thread.currentGeneration;
    const reply = await this.thread.request({ op: 'create', files, provider });
    if (reply.handle === undefined) throw new ModelError('LOAD_FAILED', 'the inference thread returned no session');
    return new RemoteSession(this.thread, reply.handle, generation, reply.inputNames ?? [], reply.outputNames ?? []);
  }

  async release(session: RemoteSession): Promise<void> {
    if (session.alive) await this.thread.request({ op: 'release', handle: session.handle });
  }

  /** Ends the thread (after the manager released its sessions). */
  close(): Promise<void> {
    return this.thread.close();
  }
}
