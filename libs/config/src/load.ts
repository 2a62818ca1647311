import convict from 'convict';
import { ConfigError } from './errors.js';

export type Schema<T> = convict.Schema<T>;

export interface LoadOptions {
  /** Values that override defaults and env (CLI flags, tests). Dotted keys or nested objects. */
  overrides?: Record<string, unknown>;
  /** Env to read; @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Optional JSON file, e.g. from PL_CONFIG_FILE. */
  file?: string;
}

/**
 * Builds a convict config from a schema: defaults, then the file, then env, then overrides.
 * Unknown keys and invalid values throw a ConfigError that names each key and its problem.
 * The result is a frozen plain object.
 */
export function loadConfig<T>(schema: Schema<T>, options: LoadOptions = {}): Readonly<T> {
  let config: convict.Config<T>;
  try {
    config = convict(schema, { env: options.env ?? process.env, args: [] });
    const file = options.file ?? (options.env ?? process.env)['PL_CONFIG_FILE'];
    if (file) config.loadFile(file);
    // one load per entry, each a nested object: load() deep-merges, but keeps a dotted key as one literal name
    for (const [key, value] of Object.entries(options.overrides ?? {})) config.load(key.split('.').reduceRight<unknown>((inner, part) => ({ [part]: inner }), value) as never);
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`, { cause: error });
  }
  return deepFreeze(config.getProperties());
}

/** The documentation of every key: name, env variable, default, description. */
export function describeSchema(schema: object, prefix = ''): Array<{ key: string; env?: string; default: unknown; doc: string }> {
  const rows: Array<{ key: string; env?: string; default: unknown; doc: string }> = [];
  for (const [name, node] of Object.entries(schema)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (node && typeof node === 'object' && 'default' in node) {
      const leaf = node as { env?: string; default: unknown; doc?: string };
      rows.push({ key, env: leaf.env, default: leaf.default, doc: leaf.doc ?? '' });
    } else if (node && typeof node === 'object') {
      rows.push(...describeSchema(node, key));
    }
  }
  return rows;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
