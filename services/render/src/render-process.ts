// One render process (render-child.ts) seen from the stage: requests and their replies over IPC,
// and its death turned into RENDER_CRASHED for whatever it was doing, so the message is nak'ed
// and redelivered (and dead-lettered after max_deliver) while the stage lives on.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PaperlineError } from '@paperline/contracts';
import { fromWireError, parseChildReply, type ChildOpenOptions, type ChildReply, type ChildRequest } from './child-protocol.js';
import type { SourceFormat } from './sniff.js';
import type { OpenedDocument, RenderedPage } from './types.js';

/** The end of the process's stderr kept for the crash reason (a fatal error's message, an abort's assertion). */
const STDERR_TAIL_BYTES = 2048;
/** How long a closing process may take to exit before it is killed. */
const EXIT_GRACE_MS = 2_000;

type Request = ChildRequest extends infer R ? (R extends ChildRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (reply: ChildReply) => void;
  reject: (error: Error) => void;
}

/** The entry point: the compiled .js next to this file, or the .ts source behind tsx's loader when we run from source. */
function entry(): { path: string; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { path: new URL('./render-child.js', import.meta.url).pathname, execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { path: new URL('./render-child.ts', import.meta.url).pathname, execArgv: ['--conditions=@paperline/source', '--import', tsx] };
}

export class RenderProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private closing = false;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exit: Promise<void>;
  /** The document of the slice this process works for (the crash reason names it). */
  document: string | undefined;

  constructor() {
    const { path, execArgv } = entry();
    // stdout stays the stage's (the CLI prints results there); stderr is kept for the crash reason
    this.child = fork(path, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
    });
    this.child.on('message', (message: unknown) => this.onMessage(message));
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        this.failPending();
        resolve();
      });
    });
    // 'error' is also a failed kill or send; a process that never started gets no 'exit'
    this.child.on('error', (error) => {
      this.stderrTail += `\n${error.message}`;
      if (this.child.pid !== undefined) return;
      this.exited = { code: null, signal: null };
      this.failPending();
    });
    this.idle();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether a request is in flight: what a crash now would fail. */
  get working(): boolean {
    return this.pending.size > 0;
  }

  get alive(): boolean {
    return !this.exited && !this.closing;
  }

  async open(bytes: Uint8Array, mediaType: string, options: ChildOpenOptions): Promise<RemoteDocument> {
    const reply = await this.request({ op: 'open', bytes, mediaType, options });
    if (reply.op !== 'opened') throw unexpected(reply);
    return new RemoteDocument(this, reply.handle, reply.format, reply.kind, reply.pageCount);
  }

  async page(handle: number, page: number): Promise<RenderedPage> {
    const reply = await this.request({ op: 'page', handle, page });
    if (reply.op !== 'page') throw unexpected(reply);
    return reply.page;
  }

  async closeDocument(handle: number): Promise<void> {
    if (!this.alive) return;
    await this.request({ op: 'close', handle });
  }

  /** Ends the process: the channel closes (it exits), and a process that does not is killed. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.exit;
    clearTimeout(timer);
  }

  private request(request: Request): Promise<ChildReply> {
    if (!this.alive) return Promise.reject(this.deathError());
    const id = this.nextId++;
    return new Promise<ChildReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.busy();
      try {
        this.child.send({ ...request, id }, (error) => {
          // the channel broke: the process is dying (its exit fails the request with the reason) or is no use any more
          if (error) this.child.kill('SIGKILL');
        });
      } catch (error) {
        // a request that cannot be serialised
        this.settle(id)?.reject(error as Error);
      }
    });
  }

  private onMessage(message: unknown): void {
    let reply: ChildReply;
    try {
      reply = parseChildReply(message);
    } catch (error) {
      // a process that says what it should not is not trusted with the document any longer
      this.stderrTail += `\nbad reply: ${(error as Error).message}`;
      this.child.kill('SIGKILL');
      return;
    }
    const waiting = this.settle(reply.id);
    if (!waiting) return;
    if (reply.op === 'error') waiting.reject(fromWireError(reply.error));
    else waiting.resolve(reply);
  }

  private settle(id: number): Pending | undefined {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.idle();
    return waiting;
  }

  private failPending(): void {
    const error = this.deathError();
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(error);
    }
    this.idle();
  }

  private deathError(): PaperlineError {
    if (this.closing) return new PaperlineError('SHUTTING_DOWN', 'the render process was closed');
    const how = this.exited?.signal ? `signal ${this.exited.signal}` : this.exited?.code != null ? `exit code ${this.exited.code}` : 'a failure to start';
    const doc = this.document ? ` while rendering ${this.document}` : '';
    const stderr = this.stderrTail.trim() ? `; its last output: ${this.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
    return new PaperlineError('RENDER_CRASHED', `process ${this.child.pid ?? '(none)'} ended with ${how}${doc}${stderr}`);
  }

  // an idle process must not keep a finished CLI alive; one at work must
  private busy(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  private idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

function unexpected(reply: ChildReply): PaperlineError {
  return new PaperlineError('INTERNAL', `the render process answered ${reply.op}`);
}

/** A document open in a render process; pages are rendered there, one ahead of the one being published. */
export class RemoteDocument implements OpenedDocument {
  private closing: Promise<void> | undefined;

  constructor(
    readonly process: RenderProcess,
    private readonly handle: number,
    readonly format: SourceFormat,
    readonly kind: 'pdf' | 'image',
    readonly pageCount: number,
  ) {}

  async *pages(pageNumbers: readonly number[]): AsyncIterable<RenderedPage> {
    if (this.closing) throw new PaperlineError('SHUTTING_DOWN', 'the document was closed');
    let next = pageNumbers.length > 0 ? this.process.page(this.handle, pageNumbers[0]!) : undefined;
    for (let i = 0; next; i++) {
      const current = next;
      next = i + 1 < pageNumbers.length ? this.process.page(this.handle, pageNumbers[i + 1]!) : undefined;
      // a page asked ahead and never awaited (the caller stopped) must not be an unhandled rejection
      next?.catch(() => undefined);
      yield await current;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.process.closeDocument(this.handle).catch(() => undefined);
    return this.closing;
  }
}
