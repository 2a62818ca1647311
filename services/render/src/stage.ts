// The render stage as a StageModule: the standalone process (main.ts) and the embedded pipeline
// both run it. The page count goes to pl-jobs as soon as a document is open.
import { isFinalJobStatus, type DocSubmit } from '@paperline/contracts';
import type { StageDescription, StageModule } from '@paperline/stage-host';
import { loadRenderConfig, renderSchema, renderSettings, type RenderConfig } from './config.js';
import { createRenderHandler } from './handler.js';

/** Model-free: the PDF engine chosen in the config, sharp for images. */
const renderBackend = (config: RenderConfig): StageDescription => ({ backend: `${config.render.pdfEngine}+sharp`, models: [] });

/** One document per batch, two at once (each in a render process of its own): rendering is I/O and CPU bound per document, not batched. */
const RENDER_RUNTIME = { batchSize: 1, maxInflightBatches: 2 };

export const renderStage: StageModule<DocSubmit, RenderConfig> = {
  stage: 'render',
  schema: renderSchema,
  loadConfig: loadRenderConfig,
  runtime: () => RENDER_RUNTIME,
  plan: renderBackend,
  create: ({ config, jobs }) => ({
    handler: createRenderHandler({
      settings: renderSettings(config.render),
      onDocumentOpened: async (docId, pageCount) => {
        await jobs.setPageCount(docId, pageCount);
      },
      progress: async (docId) => {
        const job = await jobs.get(docId);
        return { pagesDone: job?.pagesDone.length ?? 0, finished: !job || isFinalJobStatus(job.status) };
      },
    }),
    describe: () => renderBackend(config),
  }),
};
