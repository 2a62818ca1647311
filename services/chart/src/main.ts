// Runs the chart stage standalone: `tsx services/chart/src/main.ts` (config from env, see chartSchema).
import { runStandaloneStage } from '@paperline/jobs';
import type { RegionTask } from '@paperline/contracts';
import { loadChartConfig } from './config.js';
import { createChartStage } from './stage.js';

const config = loadChartConfig();
await runStandaloneStage<RegionTask>({
  stage: 'chart',
  config,
  runtime: { batchSize: config.chart.batchSize },
  create: ({ log }) => createChartStage({ config, log }),
});
