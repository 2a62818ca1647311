// The formula stage composed from its config. With a PP-FormulaNet model installed (or named), its
// encoder and decoder load through the ModelManager under the device's memory budget and are
// released when the stage pauses; without one the stage owns no model (glyphs, or OCR on scans).
import type { Bus } from '@paperline/bus';
import { PaperlineError, type RegionTask } from '@paperline/contracts';
import { compileMemorySettings } from '@paperline/memory';
import { createModelRuntime, Manifest, type ModelRuntime, type RuntimeHooks } from '@paperline/models';
import type { StageDescription, StageModule } from '@paperline/stage-host';
import type { StageHandler } from '@paperline/stage';
import type { Logger, Metrics } from '@paperline/telemetry';
import { FORMULA_MODEL_PREFERENCE, formulaSchema, loadFormulaConfig, type FormulaConfig } from './config.js';
import { FormulaRecognizer, formulaVariant, loadFormulaTokenizer } from './formula-model.js';
import { createFormulaHandler } from './handler.js';

export interface FormulaStageDeps {
  bus: Bus;
  config: FormulaConfig;
  hooks: RuntimeHooks;
  log?: Logger;
  metrics?: Metrics;
}

export interface FormulaStage {
  readonly handler: StageHandler<RegionTask>;
  /** Absent when no formula model is used. */
  readonly models: ModelRuntime | undefined;
  close(): Promise<void>;
  describe(): StageDescription;
}

/** The encoder the config asks for: a named one must be in the manifest; `auto` takes the first installed pair. */
export async function chooseFormulaModel(config: Pick<FormulaConfig, 'formula' | 'models'>): Promise<string | undefined> {
  const wanted = config.formula.model;
  if (wanted === 'none') return undefined;
  const manifest = await Manifest.load(config.models.manifest, config.models.dir ? { modelsDir: config.models.dir } : {});
  if (wanted !== 'auto') {
    if (manifest.get(wanted).stage !== 'formula') throw new PaperlineError('MODEL_UNAVAILABLE', `PL_FORMULA_MODEL=${wanted} is not a formula model`);
    return wanted;
  }
  const installed = (id: string) => manifest.models.some((m) => m.id === id && manifest.isPresent(m));
  return FORMULA_MODEL_PREFERENCE.find((id) => installed(id) && installed(`${id}-decoder`));
}

export async function createFormulaStage(deps: FormulaStageDeps): Promise<FormulaStage> {
  const { config, log } = deps;
  const encoder = await chooseFormulaModel(config);
  if (!encoder) {
    log?.info({ backend: 'glyphs' }, 'no formula model installed: LaTeX from glyph runs on born-digital pages, OCR text on scans');
    return { handler: createFormulaHandler(), models: undefined, close: async () => undefined, describe: () => ({ backend: 'glyphs', models: [] }) };
  }
  const models = await createModelRuntime({
    memory: compileMemorySettings(config),
    models: config.models,
    bus: deps.bus,
    stage: 'formula',
    instance: config.instance.id,
    node: config.instance.node,
    hooks: deps.hooks,
    sessions: { intraOpThreads: config.formula.threads, session: { executionMode: 'sequential', interOpNumThreads: 1 } },
    log,
    metrics: deps.metrics,
  });
  const variant = formulaVariant(models.manifest, encoder);
  const recognizer = new FormulaRecognizer(models.manager, variant, await loadFormulaTokenizer(models.manifest, variant.decoder), config.formula.maxTokens);
  log?.info({ backend: encoder }, 'formula model backend');
  return {
    handler: createFormulaHandler({ recognizer, release: () => models.manager.unloadAll('formula release') }),
    models,
    close: () => models.close(),
    describe: () => ({ backend: encoder, models: [variant.encoder, variant.decoder] }),
  };
}

export const formulaStage: StageModule<RegionTask, FormulaConfig> = {
  stage: 'formula',
  schema: formulaSchema,
  loadConfig: loadFormulaConfig,
  // one batch at a time: a decode already uses every intra-op thread; regions are read one by
  // one (handleEachMessage), so a partial batch does not wait for more
  runtime: (config) => ({ batchSize: config.formula.batchSize, maxInflightBatches: 1, maxBatchWaitMs: 0 }),
  create: ({ bus, config, log, metrics, hooks }) => createFormulaStage({ bus, config, log, metrics, hooks }),
  plan: async (config) => {
    const encoder = await chooseFormulaModel(config);
    return encoder ? { backend: encoder, models: [encoder, `${encoder}-decoder`] } : { backend: 'glyphs', models: [] };
  },
};
