import type { Language, StageName } from '@paperline/contracts';
import type { Bus } from '@paperline/bus';
import { dropCancelledDocuments, failDocumentOnDeadLetter, type JobStore } from '@paperline/jobs';
import type { StageHandler, StageRuntime } from '@paperline/stage';
import type { Logger } from '@paperline/telemetry';
import { createAssembleHandler } from '@paperline/assemble';
import { createLayoutHandler, loadLayoutConfig } from '@paperline/layout';
import { createOcrStage, loadOcrConfig, type OcrStage } from '@paperline/ocr';
import { createRenderHandler, loadRenderConfig, renderSettings } from '@paperline/render';

/** Per-stage configuration overrides, in each stage's own convict section. */
export interface PipelineOverrides {
  render?: Record<string, unknown>;
  layout?: Record<string, unknown>;
  ocr?: Record<string, unknown>;
}

export interface StageHandlers {
  get(stage: StageName): StageHandler<unknown>;
  /** Unloads models and releases leases. */
  teardown(): Promise<void>;
}

/** Builds each stage's handler from its service package, wired to the job store. */
export interface StageHandlerDeps {
  bus: Bus;
  jobs: JobStore;
  log: Logger;
  overrides: PipelineOverrides;
  /** The runtime of a stage once it runs (the memory guard suspends it). */
  runtimeOf(stage: StageName): StageRuntime<unknown> | undefined;
}

export async function createStageHandlers(deps: StageHandlerDeps): Promise<StageHandlers> {
  const { bus, jobs, log } = deps;
  const render = loadRenderConfig({ overrides: { render: deps.overrides.render ?? {} } }).render;
  const layout = loadLayoutConfig({ overrides: { layout: deps.overrides.layout ?? {} } }).layout;
  const ocrConfig = loadOcrConfig({ overrides: { ocr: deps.overrides.ocr ?? {} } });
  let ocr: OcrStage | undefined;
  const handlers = new Map<StageName, () => Promise<StageHandler<unknown>> | StageHandler<unknown>>([
    [
      'render',
      () =>
        createRenderHandler({
          settings: renderSettings(render),
          onDocumentOpened: async (docId, pageCount) => {
            await jobs.setPageCount(docId, pageCount);
          },
        }) as StageHandler<unknown>,
    ],
    ['layout', () => createLayoutHandler({ bus, log, settings: { featureCacheMs: layout.featureCacheMs, defaultLang: layout.defaultLang as Language } }) as StageHandler<unknown>],
    [
      'ocr',
      async () => {
        ocr = await createOcrStage({
          bus,
          config: ocrConfig,
          log,
          hooks: {
            suspend: (reason) => deps.runtimeOf('ocr')?.suspend(reason),
            resume: () => deps.runtimeOf('ocr')?.unsuspend(),
            // one process holds every stage here: it cannot be swapped for a fresh one mid-run
            recycle: (reason) => log.error({ reason }, 'the memory guard asked for a recycle, which the embedded pipeline cannot do; run `paperline up` for supervised stages'),
          },
        });
        return ocr.handler as StageHandler<unknown>;
      },
    ],
    ['assemble', () => createAssembleHandler({ bus, jobs }) as StageHandler<unknown>],
  ]);
  const built = new Map<StageName, StageHandler<unknown>>();
  for (const [stage, create] of handlers) built.set(stage, failDocumentOnDeadLetter(dropCancelledDocuments(await create(), jobs), jobs));
  return {
    get(stage) {
      const handler = built.get(stage);
      if (!handler) throw new Error(`stage ${stage} has no handler in the local pipeline`);
      return handler;
    },
    async teardown() {
      await ocr?.close();
    },
  };
}
