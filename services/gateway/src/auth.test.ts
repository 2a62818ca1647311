import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticate, isLoopback, loadApiKeys, parseApiKeys, resolveAuth } from './auth.js';

const OPEN = { apiKeys: '', apiKeysFile: '', allowUnauthenticated: false };

describe('API keys', () => {
  it('parses named and unnamed keys; a key without a name gets a digest id, never the key', () => {
    const keys = parseApiKeys('alice:0123456789abcdef0123\n# a comment\n\nfedcba9876543210fedc', 'test');
    expect(keys.map((k) => k.id)).toEqual(['alice', expect.stringMatching(/^key-[0-9a-f]{12}$/)]);
    expect(keys[1]!.id).not.toContain('fedcba');
  });

  it('refuses short keys, bad names and repeated names, naming the entry and not its value', () => {
    expect(() => parseApiKeys('bob:short', 'PL_API_KEYS')).toThrow(/API key 1 of PL_API_KEYS is shorter than 16/);
    expect(() => parseApiKeys('bob:short', 'PL_API_KEYS')).not.toThrow(/short$/);
    expect(() => parseApiKeys('b o b:0123456789abcdef0123', 'x')).toThrow(/name/);
    expect(() => parseApiKeys('a:0123456789abcdef0123,a:0123456789abcdef0124', 'x')).toThrow(/used twice/);
  });

  it('reads a key file and names an unreadable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-keys-'));
    try {
      writeFileSync(join(dir, 'keys'), 'team:0123456789abcdef0123\n');
      expect(loadApiKeys({ apiKeys: '', apiKeysFile: join(dir, 'keys') }).map((k) => k.id)).toEqual(['team']);
      expect(() => loadApiKeys({ apiKeys: '', apiKeysFile: join(dir, 'missing') })).toThrow(/cannot read the API key file .*missing: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('authenticates a bearer token against every key; anything else is UNAUTHORIZED', () => {
    const keys = parseApiKeys('alice:0123456789abcdef0123,bob:fedcba9876543210fedc', 'test');
    expect(authenticate(keys, 'Bearer fedcba9876543210fedc')).toBe('bob');
    expect(authenticate(keys, 'bearer 0123456789abcdef0123')).toBe('alice');
    for (const header of [undefined, '', 'Bearer', 'Bearer 0123456789abcdef012', 'Basic 0123456789abcdef0123', 'Bearer 0123456789abcdef0123 extra']) {
      expect(() => authenticate(keys, header), String(header)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    }
  });

  it('runs open only on loopback unless told to', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'gateway.example']) expect(isLoopback(host), host).toBe(false);
    expect(resolveAuth(OPEN, '127.0.0.1')).toBe(false);
    expect(() => resolveAuth(OPEN, '0.0.0.0')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(resolveAuth({ ...OPEN, allowUnauthenticated: true }, '0.0.0.0')).toBe(false);
    expect(resolveAuth({ ...OPEN, apiKeys: 'a:0123456789abcdef0123' }, '0.0.0.0')).toHaveLength(1);
  });

  it('the gateway process refuses to start open on 0.0.0.0 (exit 2, saying how to fix it)', async () => {
    const main = join(import.meta.dirname, 'main.ts');
    const child = spawn(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', main], {
      env: { ...process.env, NATS_URL: 'nats://127.0.0.1:1', PL_HTTP_HOST: '0.0.0.0', PL_API_KEYS: '', PL_API_KEYS_FILE: '', PL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(2);
    expect(output).toMatch(/no API key: set PL_API_KEYS or PL_API_KEYS_FILE/);
  }, 60_000);
});
