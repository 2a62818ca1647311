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

export function createRenderers(isolation: RenderIsolation): Renderers {
  return isolation === 'process' ? new ProcessRenderers() : new InlineRenderers();
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
  readonly process = new RenderProcess();
  readonly documents = new OpenDocuments(OPEN_DOCUMENTS);
  leased = false;

  open(bytes: Uint8Array, mediaType: string, options: ChildOpenOptions): Promise<OpenedDocument> {
    return this.process.open(bytes, mediaType, options);
  }

  release(): void {
    this.process.document = undefined;
    this.leased = false;
  }
}

class ProcessRenderers implements Renderers {
  private renderers: ProcessRenderer[] = [];

  acquire(docId: string): Renderer {
    // a dead process's documents died with it: their next slices open them again elsewhere
    this.renderers = this.renderers.filter((renderer) => renderer.process.alive || renderer.leased);
    const free = this.renderers.filter((renderer) => !renderer.leased && renderer.process.alive);
    const renderer = free.find((candidate) => candidate.documents.has(docId)) ?? free[0] ?? this.start();
    for (const other of this.renderers) {
      // opened again here: the copy in a busy process would only take its memory
      if (other !== renderer) void other.documents.evict(docId);
    }
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
    await Promise.all(
      renderers.map(async (renderer) => {
        await renderer.documents.closeAll();
        await renderer.process.close();
      }),
    );
  }

  private start(): ProcessRenderer {
    const renderer = new ProcessRenderer();
    this.renderers.push(renderer);
    return renderer;
  }
}
