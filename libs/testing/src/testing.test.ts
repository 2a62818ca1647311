import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './nats.js';
import { encryptedPdf, multiPagePdf, truncatedPdf } from './pdf.js';
import { pollUntil } from './poll.js';

const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

async function pageTexts(data: Uint8Array, password?: string): Promise<string[]> {
  const doc = await pdfjs.getDocument({ data: data.slice(), password, useSystemFonts: false, isEvalSupported: false, standardFontDataUrl }).promise;
  try {
    const texts: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
    }
    return texts;
  } finally {
    await doc.destroy();
  }
}

describe('startTestServer', () => {
  it('runs deferred cleanups newest first, empties JetStream on reset, and keeps it across a restart', async () => {
    const server = await startTestServer();
    try {
      const nc = await connect({ servers: server.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
      server.defer(() => nc.close());
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
      const kv = await new Kvm(nc).create('settings');
      await kv.put('a', '1');
      const statuses = nc.status();

      await server.restart();
      for await (const status of statuses) if (status.type === 'reconnect') break;
      expect((await jsm.streams.info('KEPT')).state.messages).toBe(0);
      expect((await kv.get('a'))?.string()).toBe('1');

      const order: string[] = [];
      server.defer(() => order.push('first'));
      server.defer(() => order.push('second'));
      await server.reset();
      expect(order).toEqual(['second', 'first']);
      expect(nc.isClosed()).toBe(true);
      const check = await connect({ servers: server.url });
      const names: string[] = [];
      for await (const name of (await jetstreamManager(check)).streams.names()) names.push(name);
      await check.close();
      expect(names).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('PDF fixtures', () => {
  it('multiPagePdf opens with its pages and their text', async () => {
    const texts = await pageTexts(multiPagePdf(3));
    expect(texts).toHaveLength(3);
    expect(texts[2]).toContain('Heading of page 3');
    expect(texts[0]).toContain('Body line 5 of page 1 with some ordinary words.');
  });

  it('truncatedPdf does not open; encryptedPdf opens only with its password', async () => {
    await expect(pageTexts(truncatedPdf())).rejects.toThrow();
    await expect(pageTexts(encryptedPdf())).rejects.toMatchObject({ name: 'PasswordException' });
    expect((await pageTexts(encryptedPdf(40, 'pw'), 'pw'))[0]).toContain('Heading of page 1');
  });
});

describe('pollUntil', () => {
  it('returns the first value a probe gives, retries a throwing probe only when asked, and names what never happened', async () => {
    let calls = 0;
    expect(await pollUntil('the third call', () => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).toBe(3);
    await expect(pollUntil('a probe that throws', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let tries = 0;
    const waiting = pollUntil('a failing probe', () => {
      tries++;
      throw new Error('not yet');
    }, { timeoutMs: 30, intervalMs: 1, retryErrors: true, detail: () => 'the detail' });
    await expect(waiting).rejects.toThrow(/timed out waiting for a failing probe \(30 ms\)\nthe detail/);
    await expect(waiting).rejects.toMatchObject({ cause: new Error('not yet') });
    expect(tries).toBeGreaterThan(1);
    await expect(pollUntil('false for ever', () => false, { timeoutMs: 20, intervalMs: 1 })).rejects.toThrow('timed out waiting for false for ever');
  });
});
