// The table stage's settings (convict): the base, memory and models settings plus a `table` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { memorySchema } from '@paperline/memory';
import { modelsSchema } from '@paperline/models';

export const TABLE_BACKENDS = ['auto', 'rules', 'slanet', 'slanet-plus'] as const;
export type TableBackendChoice = (typeof TABLE_BACKENDS)[number];

/** Regions per stage batch: one at a time through the model, so small. */
export const DEFAULT_TABLE_BATCH_SIZE = 4;
export const DEFAULT_TABLE_THREADS = 2;

export const tableSchema = {
  ...baseSchema,
  ...memorySchema,
  ...modelsSchema,
  table: {
    backend: {
      doc: "Table structure backend: auto (slanet-plus, then slanet, when its model file is installed; else rules), rules (model-free: rulings and word alignment), slanet, slanet-plus.",
      format: TABLE_BACKENDS,
      default: 'auto',
      env: 'PL_TABLE_BACKEND',
    },
    threads: { doc: 'onnxruntime intra-op threads per inference.', format: 'nat', default: DEFAULT_TABLE_THREADS, env: 'PL_TABLE_THREADS' },
    batchSize: { doc: 'Table regions per stage batch.', format: 'nat', default: DEFAULT_TABLE_BATCH_SIZE, env: 'PL_TABLE_BATCH_SIZE' },
  },
};

export type TableConfig = ReturnType<typeof loadTableConfig>;

export function loadTableConfig(options: LoadOptions = {}) {
  return loadConfig(tableSchema, options);
}
