// Runs the layout stage standalone: `tsx services/layout/src/main.ts` (config from env, see layoutSchema).
import { runStandaloneStage } from '@paperline/jobs';
import type { Language } from '@paperline/contracts';
import { loadLayoutConfig } from './config.js';
import { createLayoutHandler } from './handler.js';

const config = loadLayoutConfig();
await runStandaloneStage({
  stage: 'layout',
  config,
  create: ({ log }) => ({
    handler: createLayoutHandler({ log, settings: { featureCacheMs: config.layout.featureCacheMs, defaultLang: config.layout.defaultLang as Language } }),
  }),
});
