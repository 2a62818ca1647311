import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientErrorCodes } from './errors.js';
import { newDocId } from './doc-id.js';
import { parseTextOptions } from './options.js';
import { sniffMediaType } from './media-type.js';
import { DocIdSchema } from '@paperline/contracts';

describe('client errors', () => {
  it('every code is documented in the user guide', () => {
    const guide = readFileSync(new URL('../../../docs/user-guide.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ClientErrorCodes)) expect(guide, code).toContain(`\`${code}\``);
  });
});

describe('doc ids', () => {
  it('are 16 URL-safe characters, valid and distinct', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newDocId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(DocIdSchema.safeParse(id).success && /^[A-Za-z0-9]{16}$/.test(id)).toBe(true);
  });
});

describe('media types by magic bytes', () => {
  it.each([
    ['application/pdf', [0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]],
    ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['image/jpeg', [0xff, 0xd8, 0xff, 0xe0]],
    ['image/webp', [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]],
    ['image/tiff', [0x49, 0x49, 0x2a, 0x00]],
    ['image/tiff', [0x4d, 0x4d, 0x00, 0x2a]],
    [undefined, [0x50, 0x4b, 0x03, 0x04]],
    [undefined, [...Buffer.from('<html>')]],
  ])('%s', (type, bytes) => {
    expect(sniffMediaType(Uint8Array.from(bytes))).toBe(type);
  });
});

describe('text options', () => {
  it('parses every field', () => {
    expect(parseTextOptions({ pages: '1-5', lang: 'CH', format: 'md', priority: 'high', features: 'table:off, formula=on' })).toEqual({
      pageRange: { from: 1, to: 5 },
      lang: 'ch',
      outputFormats: ['md'],
      priority: 'high',
      features: { table: false, formula: true },
    });
    expect(parseTextOptions({ pages: '3' })).toEqual({ pageRange: { from: 3, to: 3 } });
  });
  it.each([{ pages: '5-1' }, { pages: '0' }, { pages: 'x' }, { lang: 'fr' }, { format: 'pdf' }, { priority: 'low' }, { features: 'tables:off' }, { features: 'table:maybe' }])(
    'rejects %j with INVALID_OPTION',
    (text) => {
      expect(() => parseTextOptions(text)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    },
  );
});
