// Runs the render stage standalone: `tsx services/render/src/main.ts` (config from env, see renderSchema).
// The page count goes to pl-jobs as soon as a document is open.
import { runStandaloneStage } from '@paperline/jobs';
import { loadRenderConfig, renderSettings } from './config.js';
import { createRenderHandler } from './handler.js';

const config = loadRenderConfig();
await runStandaloneStage({
  stage: 'render',
  config,
  create: ({ jobs }) => ({
    handler: createRenderHandler({
      settings: renderSettings(config.render),
      onDocumentOpened: async (docId, pageCount) => {
        await jobs.setPageCount(docId, pageCount);
      },
      pagesDone: async (docId) => (await jobs.get(docId))?.pagesDone.length ?? 0,
    }),
  }),
});
