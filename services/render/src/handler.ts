// The render stage: a submitted document in, one PageTask per page out, published as each page
// is rendered (page 1 is analysed while page 40 renders). A document is rendered in slices of
// `slicePages`: after each, its continuation goes back in the queue, so a long document does not
// hold the stage while others wait, and priority applies between slices.
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
import type { BatchContext, JobOutcome, Output, StageHandler, StageMessage } from '@paperline/stage';
import { setImmediate as setImmediatePromise, setTimeout as sleep } from 'node:timers/promises';
import { selectPages } from './open.js';
import { createRenderers, type Renderer } from './renderers.js';
import {
  DEFAULT_DPI,
  DEFAULT_MIN_TEXT_CHARS,
  DEFAULT_PDF_ENGINE,
  DEFAULT_RENDER_ISOLATION,
  DEFAULT_RENDER_LIMITS,
  type OpenedDocument,
  type PdfEngine,
  type RenderedPage,
  type RenderIsolation,
  type RenderLimits,
} from './types.js';

export interface RenderSettings {
  /** @default 150 */
  dpi: number;
  limits: RenderLimits;
  /** @default 16 */
  minTextChars: number;
  /** @default false */
  alwaysRaster: boolean;
  /** @default 'pdfium' */
  pdfEngine: PdfEngine;
  /** Where documents are opened and rendered: a render process per slice in flight, or this process. @default 'process' */
  isolation: RenderIsolation;
  /** A render process that does not answer a request (open a document, render a page) this long is killed: RENDER_CRASHED. @default 120000 */
  renderTimeoutMs: number;
  /** A render process with no slice this long ends (its memory given back); 0 keeps it. @default 60000 */
  renderProcessIdleMs: number;
  /** A PageTask up to this size (encoded) carries its text layer inline; a larger layer goes to pl-pages. @default 262144 */
  inlineTextLayerBytes: number;
  /** Pages rendered per turn; then the document goes back in the queue behind what arrived meanwhile. @default 32 */
  slicePages: number;
  /** A document of more pages is throttled: it renders ahead of the pages finished downstream by at most `throttleBacklogPages`. @default 200 */
  throttlePages: number;
  /** @default 64 */
  throttleBacklogPages: number;
  /** How long a throttled slice waits for the backlog to shrink before it yields its turn. @default 250 */
  throttleWaitMs: number;
}

/** A quarter of nats-server's default 1 MiB max_payload: room for the rest of the task and headers. */
export const DEFAULT_INLINE_TEXT_LAYER_BYTES = 256 * 1024;
export const DEFAULT_SLICE_PAGES = 32;
export const DEFAULT_THROTTLE_PAGES = 200;
export const DEFAULT_THROTTLE_BACKLOG_PAGES = 64;
export const DEFAULT_THROTTLE_WAIT_MS = 250;
export const DEFAULT_RENDER_TIMEOUT_MS = 120_000;
export const DEFAULT_RENDER_PROCESS_IDLE_MS = 60_000;
const THROTTLE_POLL_MS = 50;

export const DEFAULT_RENDER_SETTINGS: Readonly<RenderSettings> = Object.freeze({
  dpi: DEFAULT_DPI,
  limits: DEFAULT_RENDER_LIMITS,
  minTextChars: DEFAULT_MIN_TEXT_CHARS,
  alwaysRaster: false,
  pdfEngine: DEFAULT_PDF_ENGINE,
  isolation: DEFAULT_RENDER_ISOLATION,
  renderTimeoutMs: DEFAULT_RENDER_TIMEOUT_MS,
  renderProcessIdleMs: DEFAULT_RENDER_PROCESS_IDLE_MS,
  inlineTextLayerBytes: DEFAULT_INLINE_TEXT_LAYER_BYTES,
  slicePages: DEFAULT_SLICE_PAGES,
  throttlePages: DEFAULT_THROTTLE_PAGES,
  throttleBacklogPages: DEFAULT_THROTTLE_BACKLOG_PAGES,
  throttleWaitMs: DEFAULT_THROTTLE_WAIT_MS,
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
  /** The document's progress downstream (pl-jobs): a throttled document waits on its own and on high documents'. Without it nothing is throttled. */
  progress?(docId: string): Promise<DocumentProgress>;
}

export interface DocumentProgress {
  /** Pages finished downstream. */
  pagesDone: number;
  /** Completed, failed or cancelled (or gone): nothing of it is left to wait for. */
  finished: boolean;
}

export function createRenderHandler(deps: RenderHandlerDeps = {}): StageHandler<DocSubmit> {
  const settings: RenderSettings = { ...DEFAULT_RENDER_SETTINGS, ...deps.settings };
  const renderers = createRenderers({ isolation: settings.isolation, requestTimeoutMs: settings.renderTimeoutMs, idleMs: settings.renderProcessIdleMs });
  // high documents this instance rendered whose pages are still on their way downstream
  const highInFlight = new Set<string>();
  return {
    stage: 'render',
    decode: (data) => decode(DocSubmitSchema, data),
    docIdOf: (data) => data.docId,
    async handleBatch(batch, ctx) {
      const outcomes: JobOutcome[] = [];
      // one slice at a time: rendering is CPU-bound, concurrency comes from more instances
      for (const message of batch) {
        const renderer = renderers.acquire(message.data.docId);
        try {
          outcomes.push({ outputs: await renderSlice(message, ctx, settings, deps, renderer, highInFlight) });
        } catch (error) {
          outcomes.push({ error });
        } finally {
          renderer.release();
        }
      }
      return outcomes;
    },
    release: () => renderers.close(),
    status: () => renderers.status(),
  };
}

/** The deployment's limits, lowered by the document's own (an API key's), never raised. */
export function effectiveLimits(deployment: RenderLimits, requested: DocSubmit['options']['limits']): RenderLimits {
  return {
    ...deployment,
    maxPages: Math.min(deployment.maxPages, requested?.maxPages ?? Infinity),
    maxPixels: Math.min(deployment.maxPixels, requested?.maxPixels ?? Infinity),
  };
}

/**
 * Renders the next slice of a document's pages (its first, or the one `resume` names) and returns
 * the continuation of the rest, if any: a DocSubmit on the document's own priority subject, so it
 * queues behind what arrived meanwhile and high documents go first at every slice.
 */
async function renderSlice(
  message: StageMessage<DocSubmit>,
  ctx: BatchContext,
  settings: RenderSettings,
  deps: RenderHandlerDeps,
  renderer: Renderer,
  highInFlight: Set<string>,
): Promise<Output[]> {
  const submit = message.data;
  const started = performance.now();
  const open = renderer.documents;
  const doc = open.take(submit.docId) ?? (await openSource(submit, ctx, settings, renderer));
  let kept = false;
  try {
    const pages = selectPages(doc.pageCount, submit.options.pageRange);
    const first = submit.resume ? pages.indexOf(submit.resume.page) : 0;
    if (first < 0) throw new PaperlineError('INVALID_MESSAGE', `page ${submit.resume?.page} is not among the document's pages`);
    if (!submit.resume) await deps.onDocumentOpened?.(submit.docId, pages.length, { pages, totalPages: doc.pageCount });
    if (submit.resume && pages.length > settings.throttlePages && !(await throttleAllows(submit.docId, first, highInFlight, settings, deps, ctx.signal))) {
      // still too far ahead of its pages downstream, or high work is: its turn goes to whatever queued behind it
      kept = true;
      await open.keep(submit.docId, doc);
      return [continuation(submit, pages[first]!, submit.resume.attempt + 1)];
    }
    const slice = pages.slice(first, first + settings.slicePages);
    if (submit.options.priority === 'high' && deps.progress) highInFlight.add(submit.docId);
    await renderPages(ctx, submit, doc, slice, pages.length, settings);
    const next = pages[first + slice.length];
    message.log.info(
      { pages: slice.length, from: slice[0], of: pages.length, kind: doc.kind, durationMs: Math.round(performance.now() - started) },
      next === undefined ? 'rendered' : 'rendered a slice',
    );
    if (next === undefined) return [];
    kept = true;
    await open.keep(submit.docId, doc);
    return [continuation(submit, next, 0)];
  } finally {
    if (!kept) await open.close(submit.docId, doc);
  }
}

async function openSource(submit: DocSubmit, ctx: BatchContext, settings: RenderSettings, renderer: Renderer): Promise<OpenedDocument> {
  const limits = effectiveLimits(settings.limits, submit.options.limits);
  if (submit.bytes > limits.maxBytes) throw new PaperlineError('FILE_TOO_LARGE', `${submit.bytes} bytes, the limit is ${limits.maxBytes}`);
  const bytes = await readSource(ctx, submit.object, limits.maxBytes);
  return renderer.open(bytes, submit.mediaType, {
    limits,
    dpi: submit.options.dpi ?? settings.dpi,
    alwaysRaster: settings.alwaysRaster,
    minTextChars: settings.minTextChars,
    pdfEngine: settings.pdfEngine,
    fileName: submit.fileName,
  });
}

/**
 * Whether a throttled document may render its next slice, waiting up to `throttleWaitMs`: its
 * backlog downstream (pages rendered, not yet finished) is within bounds, and no high document this
 * instance rendered is still on its way. Priority then holds past render: the queues downstream
 * order work, but only this keeps a long document's pages from taking the CPU the high one's OCR
 * needs.
 */
async function throttleAllows(docId: string, rendered: number, highInFlight: Set<string>, settings: RenderSettings, deps: RenderHandlerDeps, signal: AbortSignal): Promise<boolean> {
  const { progress } = deps;
  if (!progress) return true;
  const deadline = performance.now() + settings.throttleWaitMs;
  for (;;) {
    for (const high of highInFlight) if ((await progress(high)).finished) highInFlight.delete(high);
    if (highInFlight.size === 0 && rendered - (await progress(docId)).pagesDone <= settings.throttleBacklogPages) return true;
    if (performance.now() >= deadline || signal.aborted) return false;
    await sleep(THROTTLE_POLL_MS);
  }
}

function continuation(submit: DocSubmit, page: number, attempt: number): Output {
  return {
    subject: Subjects.submitOf(submit.options.priority),
    msgId: MsgIds.renderSlice(submit.docId, page, attempt),
    data: encode(DocSubmitSchema, { ...submit, resume: { page, attempt } }),
  };
}

async function renderPages(ctx: BatchContext, submit: DocSubmit, doc: OpenedDocument, pages: number[], pageCount: number, settings: RenderSettings): Promise<void> {
  // a page's storing and publishing overlaps the rendering of the next; publishes stay in order
  let previous: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  for await (const page of doc.pages(pages)) {
    if (failure) throw failure.error;
    if (ctx.signal.aborted) throw new PaperlineError('SHUTTING_DOWN', `stopped after page ${page.page - 1}`);
    const encoded = pageTask(submit, page, pageCount, doc.kind, settings.inlineTextLayerBytes);
    previous = previous
      .then(() => publishPage(ctx, encoded, page))
      .catch((error: unknown) => {
        failure ??= { error };
      });
    // a page the engine reads synchronously (a blank one: microseconds) must not keep the event
    // loop from the socket: other stages in this process and high work wait on it
    await setImmediatePromise();
  }
  await previous;
  if (failure) throw failure.error;
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
    ...(page.raster && page.rasterContent === 'images' ? { rasterContent: 'images' as const, ...(page.rasterBox ? { rasterBox: page.rasterBox } : {}) } : {}),
    textLayer: null,
    ...(page.blank ? { blank: true as const } : {}),
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
