// The chart stage composed from its config. The chart-to-table model (PP-Chart2Table, a 1.4 GB
// vision-language model) has a manifest entry but no decoder in this build: asking for it
// reports whether it is installed and that it cannot run, instead of silently reading charts
// another way. auto and rules use the model-free reading.
import type { RegionTask } from '@paperline/contracts';
import { Manifest, ModelError } from '@paperline/models';
import type { StageInstance, StageModule } from '@paperline/stage-host';
import type { Logger } from '@paperline/telemetry';
import { chartSchema, loadChartConfig, type ChartBackendChoice, type ChartConfig } from './config.js';
import { createChartHandler } from './handler.js';

export const CHART_MODEL_ID = 'pp-chart2table';

/** The chart stage as a StageModule: its process (main.ts) and the embedded pipeline both run it. */
export const chartStage: StageModule<RegionTask, ChartConfig> = {
  stage: 'chart',
  schema: chartSchema,
  loadConfig: loadChartConfig,
  // regions are read one by one, so a partial batch does not wait for more
  runtime: (config) => ({ batchSize: config.chart.batchSize, maxInflightBatches: 1, maxBatchWaitMs: 0 }),
  plan: (config) => (config.chart.backend === CHART_MODEL_ID ? { backend: CHART_MODEL_ID, models: [CHART_MODEL_ID] } : { backend: 'rules', models: [] }),
  create: ({ config, log }) => createChartStage({ config, log }),
};

export async function createChartStage(deps: { config: ChartConfig; log?: Logger }): Promise<StageInstance<RegionTask>> {
  const choice = deps.config.chart.backend as ChartBackendChoice;
  if (choice === CHART_MODEL_ID) {
    const manifest = await Manifest.load(deps.config.models.manifest, deps.config.models.dir ? { modelsDir: deps.config.models.dir } : {});
    const spec = manifest.get(CHART_MODEL_ID);
    // throws FILE_MISSING (not installed) with where it looked
    manifest.resolveFile(spec.files[0]!);
    throw new ModelError('NO_DECODER', `${CHART_MODEL_ID} is installed, but this build has no decoder for it; use PL_CHART_BACKEND=rules`);
  }
  deps.log?.info({ backend: 'rules' }, 'chart backend: model-free (axes and tick labels)');
  return { handler: createChartHandler(), describe: () => ({ backend: 'rules', models: [] }) };
}
