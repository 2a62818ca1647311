import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { VERBOSE_LOG_LEVEL, type CliContext } from './context.js';
import { cancelCommand } from './commands/cancel.js';
import { controlCommands } from './commands/control.js';
import { modelsCommand } from './commands/models.js';
import { parseCommand } from './commands/parse.js';
import { provisionCommand } from './commands/provision.js';
import { resultCommand } from './commands/result.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { upCommand } from './commands/up.js';
import { ExitCodes, exitCodeOf, type ExitCode } from './errors.js';

export const PROGRAM_NAME = 'paperline';

/** From this package's package.json: one level above both src/ and dist/. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(ctx: CliContext, natsUrl: { value?: string }): Command {
  const program = new Command(PROGRAM_NAME)
    .description('parse PDFs and page images into Markdown and JSON on NATS JetStream stage services')
    .version(packageVersion(), '-V, --version')
    .option('--nats-url <url>', 'NATS server URL(s) of the cluster (default: $NATS_URL)')
    .option('--verbose', 'log to stderr (info and above; PL_LOG_LEVEL sets another level, PL_LOG_FILE logs to a file instead)')
    .showHelpAfterError(`(run ${PROGRAM_NAME} --help for usage)`)
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .exitOverride()
    .hook('preAction', (root) => {
      const flags = root.opts<{ natsUrl?: string; verbose?: boolean }>();
      natsUrl.value = flags.natsUrl;
      if (flags.verbose && ctx.log.level === 'silent') ctx.log.level = VERBOSE_LOG_LEVEL;
    });
  for (const command of [parseCommand(ctx), submitCommand(ctx), resultCommand(ctx), cancelCommand(ctx), ...controlCommands(ctx), statusCommand(ctx), upCommand(ctx), provisionCommand(ctx), modelsCommand(ctx)]) {
    program.addCommand(command.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) }));
  }
  return program;
}

/** Runs one command line; returns the exit code instead of exiting (tests, main). */
export async function runCli(argv: string[], ctx: CliContext, natsUrl: { value?: string }): Promise<ExitCode> {
  const program = buildProgram(ctx, natsUrl);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCodes.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version end with exit code 0; everything else commander rejects is usage
      return error.exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE;
    }
    if (ctx.signal.aborted) {
      ctx.stderr.write('paperline: interrupted\n');
      return ExitCodes.INTERRUPTED;
    }
    const code = exitCodeOf(error);
    ctx.stderr.write(`paperline: ${(error as Error).message ?? String(error)}\n`);
    // a bug: the stack goes to the log, shown with PL_LOG_LEVEL=debug
    if (code === ExitCodes.INTERNAL) ctx.log.debug({ err: error }, 'unexpected error');
    return code;
  }
}
