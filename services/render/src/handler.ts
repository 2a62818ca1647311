// The render stage: a submitted document in, one PageTask per page out, published as each page
// is rendered (page 1 is analysed while page 40 renders).
import {
  DocSubmitSchema,
  MsgIds,
  ObjectNames,
  ObjectStores,
  PageTaskSchema,
  PageTextLayerSchema,
  PaperlineError,
  SCHEMA_VERSION,
  Subjects,
  decode,
  encode,
  type DocSubmit,
  type PageTask,
} from '@paperline/contracts';
import type { BatchContext, JobOutcome, StageHandler, StageMessage } from '@paperline/stage';
import { openDocument, selectPages } from './open.js';
import { DEFAULT_DPI, DEFAULT_MIN_TEXT_CHARS, DEFAULT_RENDER_LIMITS, type RenderedPage, type RenderLimits } from './types.js';

export interface RenderSettings {
  /** @default 150 */
  dpi: number;
  limits: RenderLimits;
  /** @default 16 */
  minTextChars: number;
  /** @default false */
  alwaysRaster: boolean;
  /** A PageTask up to this size (encoded) carries its text layer inline; a larger layer goes to pl-pages. @default 262144 */
  inlineTextLayerBytes: number;
}

/** A quarter of nats-server's default 1 MiB max_payload: room for the rest of the task and headers. */
export const DEFAULT_INLINE_TEXT_LAYER_BYTES = 256 * 1024;

export const DEFAULT_RENDER_SETTINGS: Readonly<RenderSettings> = Object.freeze({
  dpi: DEFAULT_DPI,
  limits: DEFAULT_RENDER_LIMITS,
  minTextChars: DEFAULT_MIN_TEXT_CHARS,
  alwaysRaster: false,
  inlineTextLayerBytes: DEFAULT_INLINE_TEXT_LAYER_BYTES,
});

export interface DocumentOpenedInfo {
  /** The pages that will be rendered (the page range applied). */
  pages: number[];
  /** Pages in the whole document. */
  totalPages: number;
}

export interface RenderHandlerDeps {
  settings?: Partial<RenderSettings>;
  /**
   * Called once the document is open and before its first page is published, with the number of
   * pages that will be published (the page range applied): the lead registers it in pl-jobs.
   */
  onDocumentOpened?(docId: string, pageCount: number, info: DocumentOpenedInfo): Promise<void>;
}

export function createRenderHandler(deps: RenderHandlerDeps = {}): StageHandler<DocSubmit> {
  const settings: RenderSettings = { ...DEFAULT_RENDER_SETTINGS, ...deps.settings };
  return {
    stage: 'render',
    decode: (data) => decode(DocSubmitSchema, data),
    docIdOf: (data) => data.docId,
    async handleBatch(batch, ctx) {
      const outcomes: JobOutcome[] = [];
      // one document at a time: rendering is CPU-bound, concurrency comes from more instances
      for (const message of batch) {
        try {
          await renderDocument(message, ctx, settings, deps);
          outcomes.push({ outputs: [] });
        } catch (error) {
          outcomes.push({ error });
        }
      }
      return outcomes;
    },
  };
}

async function renderDocument(message: StageMessage<DocSubmit>, ctx: BatchContext, settings: RenderSettings, deps: RenderHandlerDeps): Promise<void> {
  const submit = message.data;
  const started = performance.now();
  const { maxBytes } = settings.limits;
  if (submit.bytes > maxBytes) throw new PaperlineError('FILE_TOO_LARGE', `${submit.bytes} bytes, the limit is ${maxBytes}`);
  const bytes = await readSource(ctx, submit.object, maxBytes);
  const doc = await openDocument(bytes, submit.mediaType, {
    limits: settings.limits,
    dpi: submit.options.dpi ?? settings.dpi,
    alwaysRaster: settings.alwaysRaster,
    minTextChars: settings.minTextChars,
    fileName: submit.fileName,
  });
  try {
    const pages = selectPages(doc.pageCount, submit.options.pageRange);
    await deps.onDocumentOpened?.(submit.docId, pages.length, { pages, totalPages: doc.pageCount });
    // a page's storing and publishing overlaps the rendering of the next; publishes stay in order
    let previous: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | undefined;
    for await (const page of doc.pages(pages)) {
      if (failure) throw failure.error;
      if (ctx.signal.aborted) throw new PaperlineError('SHUTTING_DOWN', `stopped after page ${page.page - 1}`);
      const encoded = pageTask(submit, page, pages.length, doc.kind, settings.inlineTextLayerBytes);
      previous = previous
        .then(() => publishPage(ctx, encoded, page))
        .catch((error: unknown) => {
          failure ??= { error };
        });
    }
    await previous;
    if (failure) throw failure.error;
    message.log.info({ pages: pages.length, kind: doc.kind, durationMs: Math.round(performance.now() - started) }, 'rendered');
  } finally {
    await doc.close();
  }
}

async function readSource(ctx: BatchContext, object: string, maxBytes: number): Promise<Uint8Array> {
  try {
    return await ctx.bus.getObject(ObjectStores.documents, object, { maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'BUS_OBJECT_TOO_LARGE') {
      throw new PaperlineError('FILE_TOO_LARGE', (error as Error).message, { cause: error });
    }
    throw error;
  }
}

interface EncodedPageTask {
  task: PageTask;
  data: Uint8Array;
  /** The encoded text layer, when it is too large to travel inline and goes to pl-pages. */
  textLayer?: Uint8Array;
}

/** The page's task, encoded with its text layer inline unless that makes it larger than `inlineTextLayerBytes`. */
function pageTask(submit: DocSubmit, page: RenderedPage, pageCount: number, kind: 'pdf' | 'image', inlineTextLayerBytes: number): EncodedPageTask {
  const base: PageTask = {
    v: SCHEMA_VERSION,
    docId: submit.docId,
    page: page.page,
    pageCount,
    width: page.width,
    height: page.height,
    dpi: page.dpi,
    source: { kind, object: submit.object, ...(page.frame !== undefined ? { frame: page.frame } : {}) },
    raster: page.raster ? ObjectNames.pageRaster(submit.docId, page.page) : null,
    ...(page.raster && page.rasterContent === 'images' ? { rasterContent: 'images' as const } : {}),
    textLayer: null,
    options: submit.options,
  };
  if (!page.textLayer) return { task: base, data: encode(PageTaskSchema, base) };
  const inline: PageTask = { ...base, textLayerInline: page.textLayer };
  const data = encode(PageTaskSchema, inline);
  if (data.length <= inlineTextLayerBytes) return { task: inline, data };
  const stored: PageTask = { ...base, textLayer: ObjectNames.pageText(submit.docId, page.page) };
  return { task: stored, data: encode(PageTaskSchema, stored), textLayer: encode(PageTextLayerSchema, page.textLayer) };
}

async function publishPage(ctx: BatchContext, { task, data, textLayer }: EncodedPageTask, page: RenderedPage): Promise<void> {
  const writes: Promise<void>[] = [];
  if (page.raster && task.raster) writes.push(ctx.bus.putObject(ObjectStores.pages, task.raster, page.raster));
  if (textLayer && task.textLayer) writes.push(ctx.bus.putObject(ObjectStores.pages, task.textLayer, textLayer));
  await Promise.all(writes);
  await ctx.publish({
    subject: Subjects.work('layout', task.options.priority),
    data,
    msgId: MsgIds.page(task.docId, task.page),
  });
}
