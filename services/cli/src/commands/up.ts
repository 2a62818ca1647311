import { Command } from 'commander';
import { createLogger } from '@paperline/telemetry';
import type { CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';
import { isModuleStage, MODULE_STAGES, type ModuleStage } from '../local/stage-modules.js';

/** `up` is a service: it reports its stages' starts and restarts unless told otherwise. */
const UP_LOG_LEVEL = 'info';

function parseStages(list: string | undefined): ModuleStage[] {
  if (!list) return [...MODULE_STAGES];
  const stages = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (stages.length === 0 || !stages.every(isModuleStage)) throw new CliError(`--stages takes stage names (${MODULE_STAGES.join(', ')}), got "${list}"`, ExitCodes.USAGE);
  return stages;
}

function parseReplicas(list: string | undefined): Partial<Record<ModuleStage, number>> {
  const replicas: Partial<Record<ModuleStage, number>> = {};
  for (const item of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [stage, count] = item.split('=');
    const n = Number(count);
    if (stage === undefined || !isModuleStage(stage) || !Number.isInteger(n) || n < 1) {
      throw new CliError(`--replicas takes STAGE=N pairs (N >= 1), got "${item}"`, ExitCodes.USAGE);
    }
    replicas[stage] = n;
  }
  return replicas;
}

export function upCommand(ctx: CliContext): Command {
  return new Command('up')
    .summary('run every stage locally under a supervisor')
    .description('run every stage locally as its own process, restarting any that exits, until SIGINT/SIGTERM (embedded nats-server without NATS_URL)')
    .option('--stages <list>', `only these stages, comma-separated (default: all of ${MODULE_STAGES.join(', ')})`)
    .option('--replicas <list>', 'processes per stage, e.g. ocr=2,layout=2 (default: 1 each)')
    .option('--health-port <port>', 'health port of the first process; each next one gets the next port; 0: each process picks a free port (default: 9400)')
    .action(async (flags: { stages?: string; replicas?: string; healthPort?: string }) => {
      const stages = parseStages(flags.stages);
      const replicas = parseReplicas(flags.replicas);
      const healthPortBase = flags.healthPort === undefined ? undefined : Number(flags.healthPort);
      if (healthPortBase !== undefined && !(Number.isInteger(healthPortBase) && healthPortBase >= 0 && healthPortBase < 65536)) {
        throw new CliError(`--health-port must be a port number, got "${flags.healthPort}"`, ExitCodes.USAGE);
      }
      const log = createLogger({ level: ctx.env['PL_LOG_LEVEL'] ?? UP_LOG_LEVEL, base: { service: 'paperline-up' }, destination: 2 });
      // the supervisor module alone: the supervising process never loads the stages' code (pdfjs, onnxruntime)
      const { runSupervisor } = await import('../local/supervisor.js');
      await runSupervisor({ natsUrl: ctx.natsUrl() || undefined, stages, replicas, healthPortBase, log, signal: ctx.signal });
    });
}
