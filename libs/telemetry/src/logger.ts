import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** Bound to every line: service, instance, node. */
  base?: Record<string, unknown>;
  /** @default stderr when stdout is a terminal-facing CLI, else stdout */
  destination?: NodeJS.WritableStream | number;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env['PL_LOG_LEVEL'] ?? 'info',
    base: settings.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const destination = settings.destination ?? 1;
  return pino(options, typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination);
}

/** A logger that discards everything (tests, quiet CLI runs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
