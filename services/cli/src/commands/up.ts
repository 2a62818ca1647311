import { Command } from 'commander';
import { STAGES, type StageName } from '@paperline/contracts';
import { createLogger } from '@paperline/telemetry';
import type { CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';

/** `up` is a service: it reports its stages' starts and restarts unless told otherwise. */
const UP_LOG_LEVEL = 'info';

function parseStages(list: string | undefined): StageName[] {
  if (!list) return [...STAGES];
  const stages = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = stages.filter((s) => !(STAGES as readonly string[]).includes(s));
  if (unknown.length > 0 || stages.length === 0) throw new CliError(`--stages takes stage names (${STAGES.join(', ')}), got "${list}"`, ExitCodes.USAGE);
  return stages as StageName[];
}

function parseReplicas(list: string | undefined): Partial<Record<StageName, number>> {
  const replicas: Partial<Record<StageName, number>> = {};
  for (const item of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [stage, count] = item.split('=');
    const n = Number(count);
    if (!(STAGES as readonly string[]).includes(stage ?? '') || !Number.isInteger(n) || n < 1) {
      throw new CliError(`--replicas takes STAGE=N pairs (N >= 1), got "${item}"`, ExitCodes.USAGE);
    }
    replicas[stage as StageName] = n;
  }
  return replicas;
}

export function upCommand(ctx: CliContext): Command {
  return new Command('up')
    .summary('run every stage locally under a supervisor')
    .description('run every stage locally as its own process, restarting any that exits, until SIGINT/SIGTERM (embedded nats-server without NATS_URL)')
    .option('--stages <list>', `only these stages, comma-separated (default: all of ${STAGES.join(', ')})`)
    .option('--replicas <list>', 'processes per stage, e.g. ocr=2,layout=2 (default: 1 each)')
    .option('--health-port <port>', 'health port of the first process; each next one gets the next port (default: 9400)')
    .action(async (flags: { stages?: string; replicas?: string; healthPort?: string }) => {
      const stages = parseStages(flags.stages);
      const replicas = parseReplicas(flags.replicas);
      const healthPortBase = flags.healthPort === undefined ? undefined : Number(flags.healthPort);
      if (healthPortBase !== undefined && !(Number.isInteger(healthPortBase) && healthPortBase > 0 && healthPortBase < 65536)) {
        throw new CliError(`--health-port must be a port number, got "${flags.healthPort}"`, ExitCodes.USAGE);
      }
      const log = createLogger({ level: ctx.env['PL_LOG_LEVEL'] ?? UP_LOG_LEVEL, base: { service: 'paperline-up' }, destination: 2 });
      // the supervisor module alone: the supervising process never loads the stages' code (pdfjs, onnxruntime)
      const { runSupervisor } = await import('../local/supervisor.js');
      await runSupervisor({ natsUrl: ctx.natsUrl() || undefined, stages, replicas, healthPortBase, log, signal: ctx.signal });
    });
}
