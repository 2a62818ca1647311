// The table stage composed from its config: the backend (SLANet through the ModelManager and the
// memory budget when its model is installed, else the model-free rules) and the stage handler.
// `tableStage` is the StageModule the standalone process (main.ts) and the embedded pipeline run.
import { fileURLToPath } from 'node:url';
import type { Bus } from '@paperline/bus';
import type { RegionTask } from '@paperline/contracts';
import { compileMemorySettings } from '@paperline/memory';
import { createModelRuntime, Manifest, ModelError, type RuntimeHooks } from '@paperline/models';
import type { StageHandler } from '@paperline/stage';
import type { StageModule } from '@paperline/stage-host';
import type { Logger, Metrics } from '@paperline/telemetry';
import type { TableBackend } from './backend.js';
import { loadTableConfig, tableSchema, type TableBackendChoice, type TableConfig } from './config.js';
import { createTableHandler } from './handler.js';
import { RulesTableBackend } from './rules-backend.js';
import { SlanetTableBackend } from './slanet-backend.js';

/** The repo's models/ folder, where the structure dictionaries live. */
export const DEFAULT_TABLE_DICTS_DIR = fileURLToPath(new URL('../../../models/dicts/', import.meta.url));

/** Manifest ids of the SLANet models and their structure dictionaries, most preferred first. */
export const SLANET_MODELS = [
  { id: 'slanet-plus', dictionary: 'table_structure_dict_ch.txt' },
  { id: 'slanet', dictionary: 'table_structure_dict.txt' },
] as const;

export interface TableStageDeps {
  bus: Bus;
  config: TableConfig;
  /** The memory guard's levers (used only when a model backend runs). */
  hooks: RuntimeHooks;
  log?: Logger;
  metrics?: Metrics;
  /** Where the structure dictionaries are. @default the repository's models/dicts */
  dictsDir?: string;
}

export interface TableStage {
  readonly handler: StageHandler<RegionTask>;
  readonly backend: TableBackend;
  /** Unloads the model, deletes its lease. */
  close(): Promise<void>;
}

/** The SLANet model `choice` names, or auto's pick among the installed ones; undefined for rules. */
export async function chooseTableModel(choice: TableBackendChoice, manifestPath: string, modelsDir: string): Promise<(typeof SLANET_MODELS)[number] | undefined> {
  if (choice === 'rules') return undefined;
  const manifest = await Manifest.load(manifestPath, modelsDir ? { modelsDir } : {});
  const candidates = SLANET_MODELS.filter((m) => choice === 'auto' || m.id === choice);
  for (const model of candidates) {
    try {
      manifest.resolveFile(manifest.get(model.id).files[0]!);
      return model;
    } catch (error) {
      // asked for by name: a missing model is an error to report, not a silent fallback
      if (choice !== 'auto' || !(error instanceof ModelError)) throw error;
    }
  }
  return undefined;
}

export async function createTableStage(deps: TableStageDeps): Promise<TableStage> {
  const { config } = deps;
  const rules = new RulesTableBackend();
  const model = await chooseTableModel(config.table.backend as TableBackendChoice, config.models.manifest, config.models.dir);
  if (!model) {
    deps.log?.info({ backend: 'rules' }, 'table backend: model-free (no SLANet model installed)');
    return { handler: createTableHandler({ backend: rules }), backend: rules, close: async () => undefined };
  }
  const runtime = await createModelRuntime({
    memory: compileMemorySettings(config),
    models: config.models,
    bus: deps.bus,
    stage: 'table',
    instance: config.instance.id,
    node: config.instance.node,
    hooks: deps.hooks,
    sessions: { intraOpThreads: config.table.threads, session: { interOpNumThreads: 1, executionMode: 'sequential' } },
    log: deps.log,
    metrics: deps.metrics,
  });
  const backend = new SlanetTableBackend({
    modelId: model.id,
    dictionaryPath: `${deps.dictsDir ?? DEFAULT_TABLE_DICTS_DIR}${model.dictionary}`,
    models: runtime.manager,
    fallback: rules,
  });
  deps.log?.info({ backend: model.id }, 'table backend: SLANet');
  return { handler: createTableHandler({ backend }), backend, close: () => runtime.close() };
}

/** The table stage as a StageModule: its process (main.ts) and the embedded pipeline both run it. */
export const tableStage: StageModule<RegionTask, TableConfig> = {
  stage: 'table',
  schema: tableSchema,
  loadConfig: loadTableConfig,
  // one batch at a time: a model inference already uses every intra-op thread; regions are read
  // one by one, so a partial batch does not wait for more
  runtime: (config) => ({ batchSize: config.table.batchSize, maxInflightBatches: 1, maxBatchWaitMs: 0 }),
  async plan(config) {
    const model = await chooseTableModel(config.table.backend as TableBackendChoice, config.models.manifest, config.models.dir);
    return { backend: model?.id ?? 'rules', models: model ? [model.id] : [] };
  },
  async create({ bus, config, log, metrics, hooks }) {
    const stage = await createTableStage({ bus, config, log, metrics, hooks });
    return {
      handler: stage.handler,
      close: () => stage.close(),
      describe: () => ({ backend: stage.backend.name, models: stage.backend.name === 'rules' ? [] : [stage.backend.name] }),
    };
  },
};
