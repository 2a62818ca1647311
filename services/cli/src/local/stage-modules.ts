// The stages paperline runs, in pipeline order: the embedded pipeline runs these modules, `paperline
// up` starts each one's process (services/<stage>/src/main.ts). Adding a stage is its folder under
// services/ plus one line here. The loaders are lazy, so a process that only needs the names (the
// supervisor) never loads a stage's code (pdfjs, onnxruntime).
import type { StageName } from '@paperline/contracts';
import type { StageModule } from '@paperline/stage-host';

type StageModuleLoader = () => Promise<StageModule>;

export const STAGE_MODULES = {
  render: () => import('@paperline/render').then((m) => m.renderStage),
  layout: () => import('@paperline/layout').then((m) => m.layoutStage),
  ocr: () => import('@paperline/ocr').then((m) => m.ocrStage),
  table: () => import('@paperline/table').then((m) => m.tableStage),
  chart: () => import('@paperline/chart').then((m) => m.chartStage),
  formula: () => import('@paperline/formula').then((m) => m.formulaStage),
  assemble: () => import('@paperline/assemble').then((m) => m.assembleStage),
} as const satisfies Partial<Record<StageName, StageModuleLoader>>;

export type ModuleStage = keyof typeof STAGE_MODULES;

export const MODULE_STAGES = Object.keys(STAGE_MODULES) as ModuleStage[];

export function isModuleStage(stage: string): stage is ModuleStage {
  return Object.hasOwn(STAGE_MODULES, stage);
}

/** The stage's module; throws if the list names a stage for a module of another. */
export async function loadStageModule(stage: ModuleStage): Promise<StageModule> {
  const module = await STAGE_MODULES[stage]();
  if (module.stage !== stage) throw new Error(`STAGE_MODULES.${stage} loads the module of stage ${module.stage}`);
  return module;
}
