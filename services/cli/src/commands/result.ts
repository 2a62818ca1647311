import { Command, Option } from 'commander';
import { OUTPUT_FORMATS, type JobRecord, type OutputFormat } from '@paperline/contracts';
import { connectClient, writeLine, type CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';

interface ResultFlags {
  wait?: boolean;
  format?: OutputFormat;
  timeout?: string;
}

export function describeFailure(docId: string, job: JobRecord): string {
  return job.error ? `${docId} failed in ${job.error.stage}: ${job.error.code}: ${job.error.reason}` : `${docId} failed`;
}

function describeProgress(job: JobRecord): string {
  return job.pageCount === null ? job.status : `${job.status}, ${job.pagesDone.length}/${job.pageCount} pages`;
}

export function resultCommand(ctx: CliContext): Command {
  return new Command('result')
    .description('print the result of a document (or why it failed)')
    .argument('<id>', 'the document id printed by submit')
    .option('--wait', 'wait until the document is finished')
    .option('--timeout <ms>', 'with --wait: give up after this many milliseconds')
    .addOption(new Option('--format <format>', 'which output (default: the first the document asked for)').choices(OUTPUT_FORMATS))
    .action(async (id: string, flags: ResultFlags) => {
      const timeoutMs = flags.timeout === undefined ? undefined : Number(flags.timeout);
      if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new CliError(`--timeout must be a positive number of milliseconds, got "${flags.timeout}"`, ExitCodes.USAGE);
      const client = await connectClient(ctx);
      try {
        let watching = false;
        // once the watch runs (and the signal handlers, installed before any command): tests wait for this line
        const onProgress = () => {
          if (!watching) ctx.log.debug({ docId: id }, 'waiting for the document');
          watching = true;
        };
        const job = flags.wait ? await client.wait(id, { timeoutMs, signal: ctx.signal, onProgress }) : await client.status(id);
        if (job.status === 'failed') throw new CliError(describeFailure(id, job), ExitCodes.FAILED);
        if (job.status === 'cancelled') throw new CliError(`${id} was cancelled`, ExitCodes.FAILED);
        if (job.status !== 'completed') throw new CliError(`${id} is not finished (${describeProgress(job)}); add --wait to wait for it`, ExitCodes.NOT_READY);
        const content = await client.result(id, flags.format ?? job.options.outputFormats[0] ?? 'md');
        ctx.stdout.write(content);
        if (content.length > 0 && content[content.length - 1] !== 0x0a) writeLine(ctx.stdout);
      } finally {
        await client.close();
      }
    });
}
