// The chart stage composed from its config. The chart-to-table model (PP-Chart2Table, a 1.4 GB
// vision-language model) has a manifest entry but no decoder in this build: asking for it
// reports whether it is installed and that it cannot run, instead of silently reading charts
// another way. auto and rules use the model-free reading.
import type { RegionTask } from '@paperline/contracts';
import { Manifest, ModelError } from '@paperline/models';
import type { StageHandler } from '@paperline/stage';
import type { Logger } from '@paperline/telemetry';
import type { ChartBackendChoice, ChartConfig } from './config.js';
import { createChartHandler } from './handler.js';

export const CHART_MODEL_ID = 'pp-chart2table';

export interface ChartStage {
  readonly handler: StageHandler<RegionTask>;
  close(): Promise<void>;
}

export async function createChartStage(deps: { config: ChartConfig; log?: Logger }): Promise<ChartStage> {
  const choice = deps.config.chart.backend as ChartBackendChoice;
  if (choice === CHART_MODEL_ID) {
    const manifest = await Manifest.load(deps.config.models.manifest, deps.config.models.dir ? { modelsDir: deps.config.models.dir } : {});
    const spec = manifest.get(CHART_MODEL_ID);
    // throws FILE_MISSING (not installed) with where it looked
    manifest.resolveFile(spec.files[0]!);
    throw new ModelError('NO_DECODER', `${CHART_MODEL_ID} is installed, but this build has no decoder for it; use PL_CHART_BACKEND=rules`);
  }
  deps.log?.info({ backend: 'rules' }, 'chart backend: model-free (axes and tick labels)');
  return { handler: createChartHandler(), close: async () => undefined };
}
