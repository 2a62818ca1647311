import { Command } from 'commander';
import { buildTopology, provisionTopology } from '@paperline/bus';
import { connectBus, writeLine, type CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';

export function provisionCommand(ctx: CliContext): Command {
  return new Command('provision')
    .summary('create or reconcile streams, buckets and consumers')
    .description('create or reconcile the streams, consumers, KV buckets and object stores, and report drift')
    .option('--check', 'only report what differs; change nothing (exit 1 on drift)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { check?: boolean; json?: boolean }) => {
      const bus = await connectBus(ctx);
      try {
        const topology = buildTopology({ replicas: ctx.config().nats.replicas });
        const report = await provisionTopology(bus.nc, topology, { onDrift: flags.check ? 'report' : 'update', log: ctx.log });
        if (flags.json) {
          writeLine(ctx.stdout, JSON.stringify(report, null, 2));
        } else {
          for (const resource of report.created) writeLine(ctx.stdout, `created    ${resource}`);
          for (const resource of report.updated) writeLine(ctx.stdout, `updated    ${resource}`);
          for (const d of report.drift) {
            writeLine(ctx.stdout, `drift      ${d.resource}: ${d.field} is ${JSON.stringify(d.actual)}, expected ${JSON.stringify(d.expected)}${d.updatable ? '' : ' (cannot change in place)'}`);
          }
          writeLine(ctx.stdout, `${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.drift.length} drifted`);
        }
        if (flags.check && report.drift.length > 0) throw new CliError(`${report.drift.length} settings differ from the expected topology`, ExitCodes.FAILED);
      } finally {
        await bus.close();
      }
    });
}
