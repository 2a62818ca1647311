import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { baseSchema } from './base-schema.js';
import { describeSchema, loadConfig } from './load.js';

const schema = {
  worker: {
    batch: { doc: 'Messages per batch.', format: 'nat', default: 8, env: 'T_BATCH' },
    mode: { doc: 'How to work.', format: ['fast', 'exact'], default: 'fast', env: 'T_MODE' },
  },
  url: { doc: 'Where to connect.', format: String, default: 'nats://a', env: 'T_URL' },
};

function jsonFile(value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pl-config-')), 'config.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('loadConfig', () => {
  it('takes defaults, then the file, then the environment, then overrides, and freezes the result', () => {
    expect(loadConfig(schema, { env: {} })).toEqual({ worker: { batch: 8, mode: 'fast' }, url: 'nats://a' });

    const file = jsonFile({ worker: { batch: 16, mode: 'exact' }, url: 'nats://file' });
    const config = loadConfig(schema, { env: { PL_CONFIG_FILE: file, T_BATCH: '32' }, overrides: { 'worker.mode': 'fast' } });
    expect(config).toEqual({ worker: { batch: 32, mode: 'fast' }, url: 'nats://file' });
    expect(Object.isFrozen(config.worker)).toBe(true);
    expect(() => ((config.worker as { batch: number }).batch = 1)).toThrow(TypeError);
  });

  it('names the key and the problem of an invalid value, wherever it came from', () => {
    expect(() => loadConfig(schema, { env: { T_BATCH: '-3' } })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { env: { T_BATCH: '-3' } })).toThrow(/worker\.batch: must be a positive integer/);
    expect(() => loadConfig(schema, { env: {}, overrides: { 'worker.mode': 'slow' } })).toThrow(/worker\.mode: must be one of the possible values/);
    expect(() => loadConfig(schema, { env: { PL_CONFIG_FILE: jsonFile({ worker: { batch: 'many' } }) } })).toThrow(/worker\.batch/);
  });

  it('rejects a key the schema does not have instead of ignoring it', () => {
    expect(() => loadConfig(schema, { env: {}, overrides: { worker: { batchSize: 4 } } })).toThrow(/worker\.batchSize.*not declared/);
  });

  it('says when the configuration file cannot be read', () => {
    expect(() => loadConfig(schema, { env: { PL_CONFIG_FILE: '/nonexistent/paperline.json' } })).toThrow(ConfigError);
  });
});

describe('describeSchema', () => {
  it('lists every leaf with its environment variable, default and description', () => {
    expect(describeSchema(schema)).toEqual([
      { key: 'worker.batch', env: 'T_BATCH', default: 8, doc: 'Messages per batch.' },
      { key: 'worker.mode', env: 'T_MODE', default: 'fast', doc: 'How to work.' },
      { key: 'url', env: 'T_URL', default: 'nats://a', doc: 'Where to connect.' },
    ]);
    const base = describeSchema(baseSchema);
    expect(base.find((row) => row.key === 'nats.url')).toMatchObject({ env: 'NATS_URL', default: '' });
    expect(base.every((row) => row.doc.length > 0 && row.env?.length)).toBe(true);
  });
});
