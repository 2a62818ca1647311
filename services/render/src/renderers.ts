// Where a slice's document is opened and rendered. `process` (the default): in a render process
// of its own, one per slice in flight, kept across documents and started again after it died, so
// a native crash costs the one attempt that process was working on. `inline`: in the stage's own
// process, as before isolation (debugging, profiling the engines).
import type { ChildOpenOptions } from './child-protocol.js';
import { openDocument } from './open.js';
import { OpenDocuments } from './open-documents.js';
import { RenderProcess } from './render-process.js';
import type { OpenedDocument, RenderIsolation } from './types.js';

/** Open documents kept between their slices, per renderer. */
const OPEN_DOCUMENTS = 4;

/** What one slice renders with; `release` it when the slice is done. */
export interface Renderer {
  /** The documents this renderer keeps open between their slices. */
  readonly documents: OpenDocuments;
  open(bytes: Uint8Array, mediaType: string, options: ChildOpenOptions): Promise<OpenedDocument>;
  release(): void;
}

export interface Renderers {
  /** A renderer for a slice of `docId` (the one that holds it open, when it is free). */
  acquire(docId: string): Renderer;
  /** The render processes and the document each is rendering right now, if any (/status). */
  status(): Record<string, unknown>;
  /** Closes every open document (and ends the render processes). */
  close(): Promise<void>;
}

export interface RenderersOptions {
  isolation: RenderIsolation;
  /** A render process that does not answer a request this long is killed (RENDER_CRASHED). */
  requestTimeoutMs: number;
  /** A render process idle this long ends, giving back its memory; 0 keeps it. */
  idleMs: number;
}

export function createRenderers(options: RenderersOptions): Renderers {
  return options.isolation === 'process' ? new ProcessRenderers(options.requestTimeoutMs, options.idleMs) : new InlineRenderers();
}

class InlineRenderers implements Renderers {
  private readonly renderer: Renderer = {
    documents: new OpenDocuments(OPEN_DOCUMENTS),
    open: (bytes, mediaType, options) => openDocument(bytes, mediaType, options),
    release: () => undefined,
  };

  acquire(): Renderer {
    return this.renderer;
  }

  status(): Record<string, unknown> {
    return { isolation: 'inline' };
  }

  close(): Promise<void> {
    return this.renderer.documents.closeAll();
  }
}

/** A render process and the documents open in it. */
class ProcessRenderer implements Renderer {
  readonly process: RenderProcess;
  readonly documents = new OpenDocuments(OPEN_DOCUMENTS);
  leased = false;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    requestTimeoutMs: number,
    private readonly onRelease: (renderer: ProcessRenderer) => void,
  ) {
    this.process = new RenderProcess(requestTimeoutMs);
  }

  open(bytes: Uint8Array, mediaType: string, options: ChildOpenOptions): Promise<OpenedDocument> {
    return this.process.open(bytes, mediaType, options);
  }

  release(): void {
    this.process.document = undefined;
    this.leased = false;
    this.onRelease(this);
  }
}

class ProcessRenderers implements Renderers {
  private renderers: ProcessRenderer[] = [];

  constructor(
    private readonly requestTimeoutMs: number,
    private readonly idleMs: number,
  ) {
    // the first document should not wait for a process to start (0.7 s built, 2 s from source)
    this.start();
  }

  acquire(docId: string): Renderer {
    // a dead process's documents died with it: their next slices open them again elsewhere
    this.renderers = this.renderers.filter((renderer) => renderer.process.alive || renderer.leased);
    const free = this.renderers.filter((renderer) => !renderer.leased && renderer.process.alive);
    const renderer = free.find((candidate) => candidate.documents.has(docId)) ?? free[0] ?? this.start();
    for (const other of this.renderers) {
      // opened again here: the copy in a busy process would only take its memory
      if (other !== renderer) void other.documents.evict(docId);
    }
    clearTimeout(renderer.idleTimer);
    renderer.leased = true;
    renderer.process.document = docId;
    return renderer;
  }

  status(): Record<string, unknown> {
    return {
      isolation: 'process',
      renderProcesses: this.renderers.filter((renderer) => renderer.process.alive).map(({ process: child }) => ({ pid: child.pid, rendering: child.working ? (child.document ?? null) : null })),
    };
  }

  async close(): Promise<void> {
    const renderers = this.renderers;
    this.renderers = [];
    await Promise.all(renderers.map((renderer) => this.end(renderer)));
  }

  private start(): ProcessRenderer {
    const renderer = new ProcessRenderer(this.requestTimeoutMs, (released) => this.retireWhenIdle(released));
    this.renderers.push(renderer);
    this.retireWhenIdle(renderer);
    return renderer;
  }

  /**
   * A process's memory (PDFium's heap grows with the largest document it opened and never
   * shrinks) is given back once it has had no slice for idleMs; the next slice starts another.
   */
  private retireWhenIdle(renderer: ProcessRenderer): void {
    if (this.idleMs <= 0) return;
    clearTimeout(renderer.idleTimer);
    renderer.idleTimer = setTimeout(() => {
      if (renderer.leased || !this.renderers.includes(renderer)) return;
      this.renderers = this.renderers.filter((other) => other !== renderer);
      void this.end(renderer);
    }, this.idleMs);
    renderer.idleTimer.unref();
  }

  private async end(renderer: ProcessRenderer): Promise<void> {
    clearTimeout(renderer.idleTimer);
    await renderer.documents.closeAll();
    await renderer.process.close();
  }
}
