// The chart stage's settings (convict): the base and models settings plus a `chart` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { modelsSchema } from '@paperline/models';

export const CHART_BACKENDS = ['auto', 'rules', 'pp-chart2table'] as const;
export type ChartBackendChoice = (typeof CHART_BACKENDS)[number];
export const DEFAULT_CHART_BATCH_SIZE = 8;

export const chartSchema = {
  ...baseSchema,
  ...modelsSchema,
  chart: {
    backend: {
      doc: 'Chart backend: auto (model-free rules: this build has no chart-to-table decoder), rules, or pp-chart2table (refused: see docs/architecture.md).',
      format: CHART_BACKENDS,
      default: 'auto',
      env: 'PL_CHART_BACKEND',
    },
    batchSize: { doc: 'Chart regions per stage batch.', format: 'nat', default: DEFAULT_CHART_BATCH_SIZE, env: 'PL_CHART_BATCH_SIZE' },
  },
};

export type ChartConfig = ReturnType<typeof loadChartConfig>;

export function loadChartConfig(options: LoadOptions = {}) {
  return loadConfig(chartSchema, options);
}
