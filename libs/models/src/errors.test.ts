import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryErrorCodes } from '@paperline/memory';
import { ModelErrorCodes } from './index.js';

const doc = readFileSync(new URL('../../../docs/memory.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it.each([...Object.entries(MemoryErrorCodes), ...Object.entries(ModelErrorCodes)])('%s is documented in docs/memory.md with its retryable flag', (code, { retryable }) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(retryable ? '| yes |' : '| no |');
  });
});
