import { Command } from 'commander';
import { loadConfig } from '@paperline/config';
import { STAGES, type StageName } from '@paperline/contracts';
import { fetchModel, Manifest, modelsSchema, type ModelsConfig, type ModelSpec } from '@paperline/models';
import type { StageDescription } from '@paperline/stage-host';
import { writeLine, type CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';
import { isModuleStage, loadStageModule } from '../local/stage-modules.js';
import { renderTable } from './status.js';

const MIB = 1024 * 1024;

export interface ModelRow {
  id: string;
  stage: string;
  task: string;
  present: boolean;
  /** npm: comes with an npm package; hub: a file under the models dir. */
  origin: 'npm' | 'hub';
  bytes: number | null;
  memoryEstimateBytes: number;
  license: string;
  url: string | null;
}

export interface StagePlan {
  stage: StageName;
  /** The backend the stage will choose with this machine's config and installed models; null when not built. */
  backend: string | null;
  models: string[];
  /** Manifest models of the stage that are installed, for stages whose choice is made at start. */
  installed: string[];
  note?: string;
}

function loadModelsConfig(ctx: CliContext): ModelsConfig['models'] {
  return (loadConfig(modelsSchema, { env: ctx.env }) as ModelsConfig).models;
}

async function openManifest(ctx: CliContext): Promise<{ manifest: Manifest; config: ModelsConfig['models'] }> {
  const config = loadModelsConfig(ctx);
  const manifest = await Manifest.load(config.manifest, config.dir ? { modelsDir: config.dir } : {});
  return { manifest, config };
}

function modelRow(manifest: Manifest, spec: ModelSpec): ModelRow {
  const sizes = spec.files.map((f) => f.bytes);
  return {
    id: spec.id,
    stage: spec.stage,
    task: spec.task,
    present: manifest.isPresent(spec),
    origin: spec.files.every((f) => f.package) ? 'npm' : 'hub',
    bytes: sizes.every((b) => b !== undefined) ? sizes.reduce<number>((sum, b) => sum + (b ?? 0), 0) : null,
    memoryEstimateBytes: spec.memoryEstimateBytes,
    license: spec.license,
    url: spec.url ?? null,
  };
}

/** Each stage's backend: from its module's plan where it has one, else what the manifest has installed for it. */
async function stagePlans(ctx: CliContext, manifest: Manifest): Promise<StagePlan[]> {
  const plans: StagePlan[] = [];
  for (const stage of STAGES) {
    const installed = manifest.models.filter((m) => m.stage === stage && manifest.isPresent(m)).map((m) => m.id);
    if (!isModuleStage(stage)) {
      const candidates = manifest.models.filter((m) => m.stage === stage).map((m) => m.id);
      plans.push({ stage, backend: null, models: [], installed, note: `not built yet; the manifest has ${candidates.join(', ') || 'no model'} for it` });
      continue;
    }
    const module = await loadStageModule(stage);
    let plan: StageDescription | undefined;
    if (module.plan) plan = await module.plan(module.loadConfig({ env: ctx.env }));
    if (plan) plans.push({ stage, backend: plan.backend, models: plan.models, installed });
    else plans.push({ stage, backend: null, models: [], installed, note: 'chosen when the stage starts (see paperline status)' });
  }
  return plans;
}

function mib(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / MIB).toFixed(1)} MiB`;
}

function listCommand(ctx: CliContext): Command {
  return new Command('list')
    .summary('show which models are installed and which backend each stage will use')
    .option('--json', 'print JSON with the keys models and stages')
    .action(async (flags: { json?: boolean }) => {
      const { manifest, config } = await openManifest(ctx);
      const models = manifest.models.map((spec) => modelRow(manifest, spec));
      const stages = await stagePlans(ctx, manifest);
      if (flags.json) {
        writeLine(ctx.stdout, JSON.stringify({ manifest: config.manifest, modelsDir: manifest.localPath({ path: '.' }), models, stages }, null, 2));
        return;
      }
      const rows = models.map((m) => [m.id, m.stage, m.present ? 'present' : 'absent', m.origin, mib(m.bytes), mib(m.memoryEstimateBytes), m.license]);
      for (const line of renderTable(['MODEL', 'STAGE', 'STATE', 'FROM', 'SIZE', 'MEMORY', 'LICENCE'], rows)) writeLine(ctx.stdout, line);
      writeLine(ctx.stdout);
      const stageRows = stages.map((s) => [s.stage, s.backend ?? '-', s.models.join(', ') || '-', s.installed.join(', ') || '-', s.note ?? '']);
      for (const line of renderTable(['STAGE', 'BACKEND', 'MODELS', 'INSTALLED', 'NOTE'], stageRows)) writeLine(ctx.stdout, line);
      writeLine(ctx.stdout);
      writeLine(ctx.stdout, `models dir: ${manifest.localPath({ path: '.' })} (PL_MODELS_DIR); absent hub models: paperline models fetch ID`);
    });
}

function fetchCommand(ctx: CliContext): Command {
  return new Command('fetch')
    .summary('download models into the models dir and verify their sha256')
    .argument('[ids...]', 'manifest ids of the models to fetch')
    .option('--all', 'every model of the manifest that is not installed')
    .action(async (ids: string[], flags: { all?: boolean }) => {
      if (ids.length === 0 && !flags.all) throw new CliError('name the models to fetch (see paperline models list) or pass --all', ExitCodes.USAGE);
      const { manifest, config } = await openManifest(ctx);
      const specs = flags.all ? manifest.models.filter((m) => !manifest.isPresent(m)) : ids.map((id) => manifest.get(id));
      let failed = 0;
      for (const spec of specs) {
        try {
          const files = await fetchModel(manifest, spec, { baseUrl: config.baseUrl || undefined, signal: ctx.signal });
          for (const file of files) writeLine(ctx.stdout, `${spec.id}: ${file.outcome} ${file.path}${file.bytes === undefined ? '' : ` (${file.bytes} bytes)`}`);
        } catch (error) {
          if (ctx.signal.aborted || specs.length === 1) throw error;
          failed++;
          ctx.stderr.write(`paperline: ${spec.id}: ${(error as Error).message}\n`);
        }
      }
      if (failed > 0) throw new CliError(`${failed} of ${specs.length} models could not be fetched`, ExitCodes.FAILED);
    });
}

export function modelsCommand(ctx: CliContext): Command {
  const command = new Command('models').summary('list and fetch the models the stages use');
  for (const sub of [listCommand(ctx), fetchCommand(ctx)]) {
    command.addCommand(sub.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) }));
  }
  return command;
}
