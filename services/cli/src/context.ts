import { Bus, natsAuthFromSettings, type NatsAuthSettings } from '@paperline/bus';
import { PaperlineClient, clientSchema } from '@paperline/client';
import { baseSchema, loadConfig } from '@paperline/config';
import { createLogger, type Logger } from '@paperline/telemetry';
import { CliError, ExitCodes } from './errors.js';

/**
 * The CLI's output is its results and its own one-line messages: its log stays silent unless
 * asked for, by --verbose (info on stderr), PL_LOG_LEVEL (on stderr) or PL_LOG_FILE (a file).
 */
export const VERBOSE_LOG_LEVEL = 'info';

export const cliSchema = { ...baseSchema, ...clientSchema } as const;

/** The parts of the loaded cliSchema the commands read. */
export interface CliConfig {
  nats: { url: string; replicas: number; inboxPrefix: string } & NatsAuthSettings;
  limits: { maxFileBytes: number; maxResultBytes: number };
}

/** What every command gets: where to write, the configuration, and the signal that ends it. */
export interface CliContext {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** Aborted on SIGINT or SIGTERM: commands stop waiting and close cleanly. */
  readonly signal: AbortSignal;
  /** The --nats-url flag or NATS_URL; empty when neither is set. */
  natsUrl(): string;
  config(): CliConfig;
}

export function createContext(options: { env: NodeJS.ProcessEnv; signal: AbortSignal; natsUrl?: () => string | undefined }): CliContext {
  let config: CliConfig | undefined;
  const file = options.env['PL_LOG_FILE'];
  const level = options.env['PL_LOG_LEVEL'] ?? (file ? VERBOSE_LOG_LEVEL : 'silent');
  const log = createLogger({ level, base: { service: 'cli' }, destination: file || 2 });
  const context: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: options.env,
    log,
    signal: options.signal,
    config() {
      config ??= loadConfig(cliSchema, { env: options.env });
      return config;
    },
    natsUrl() {
      return options.natsUrl?.() || context.config().nats.url;
    },
  };
  return context;
}

/** Connects to the cluster of NATS_URL; fails at once (no retry loop) when it is not reachable. */
export async function connectBus(ctx: CliContext, url = requireNatsUrl(ctx)): Promise<Bus> {
  return Bus.connect({ servers: url, name: 'paperline-cli', log: ctx.log, waitOnFirstConnect: false, auth: natsAuthFromSettings(ctx.config().nats), inboxPrefix: ctx.config().nats.inboxPrefix });
}

export async function connectClient(ctx: CliContext, url = requireNatsUrl(ctx)): Promise<PaperlineClient> {
  const limits = ctx.config().limits;
  return new PaperlineClient({ bus: await connectBus(ctx, url), ownsBus: true, log: ctx.log, maxFileBytes: limits.maxFileBytes, maxResultBytes: limits.maxResultBytes });
}

export function requireNatsUrl(ctx: CliContext): string {
  const url = ctx.natsUrl();
  if (!url) throw new CliError('NATS_URL is not set: point it (or --nats-url) at a paperline cluster, e.g. NATS_URL=nats://127.0.0.1:4222', ExitCodes.UNAVAILABLE);
  return url;
}

export function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}
