import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** Bound to every line: service, instance, node. */
  base?: Record<string, unknown>;
  /** A file descriptor, a stream, or the path of a file to append to. @default stdout */
  destination?: NodeJS.WritableStream | number | string;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env['PL_LOG_LEVEL'] ?? 'info',
    base: settings.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const destination = settings.destination ?? 1;
  if (typeof destination === 'number') return pino(options, pino.destination({ fd: destination, sync: false }));
  if (typeof destination === 'string') return pino(options, pino.destination({ dest: destination, append: true, mkdir: true, sync: false }));
  return pino(options, destination);
}

/**
 * A child logger with only the bindings its parent lacks: pino writes a key once per binding, so
 * `child({ stage })` under a logger already bound to `stage` would repeat the key in every line.
 */
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger {
  const bound = log.bindings();
  const fresh = Object.fromEntries(Object.entries(bindings).filter(([key]) => !Object.hasOwn(bound, key)));
  return Object.keys(fresh).length === 0 ? log : log.child(fresh);
}

/** The keys that appear more than once at the top level of one JSON log line (JSON.parse would hide them). */
export function repeatedKeys(line: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let end = i + 1;
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      const token = line.slice(i + 1, end);
      // a key of the line's own object: a string at depth 1 followed by a colon
      if (depth === 1 && line[end + 1] === ':') {
        if (seen.has(token)) repeated.add(token);
        seen.add(token);
      }
      i = end;
    }
  }
  return [...repeated];
}

/** A logger that discards everything (tests, quiet CLI runs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
