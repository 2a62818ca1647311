import { Command } from 'commander';
import { connectClient, writeLine, type CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';

export function cancelCommand(ctx: CliContext): Command {
  return new Command('cancel')
    .summary('cancel a queued or running document')
    .description('cancel a document: it ends as cancelled, its pending messages and stored objects are deleted (exit 1 if it had already finished or been cancelled)')
    .argument('<id>', 'the document id')
    .action(async (id: string) => {
      const client = await connectClient(ctx);
      try {
        const report = await client.cancel(id);
        if (!report.cancelled) throw new CliError(`${id} had already finished: ${report.job.status}`, ExitCodes.FAILED);
        const rest = report.scanComplete ? '' : ' (more pending messages than scanned: the stages drop the rest)';
        writeLine(ctx.stdout, `${id} cancelled: ${report.deletedMessages} pending messages and ${report.deletedObjects} objects deleted${rest}`);
      } finally {
        await client.close();
      }
    });
}
