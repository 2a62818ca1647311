// Formulas end to end through the embedded pipeline on generated PDFs, with no formula model
// installed: layout finds display formulas (fragments on the row of an equation number, or a line
// set in a math font) and routes them to the formula stage, which builds LaTeX from the glyph runs
// (scripts from baseline offsets, a fraction from a ruling); the Markdown carries them as $$...$$.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperlineClient } from '@paperline/client';
import { ParsedDocumentSchema } from '@paperline/contracts';
import { silentLogger } from '@paperline/telemetry';
import { buildPdf, type PdfText } from '@paperline/testing';
import { startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';

const BODY = 'The energy of a body at rest follows from its mass by the relation below, which we use.';

describe('formulas end to end (model-free)', () => {
  let pipeline: LocalPipeline;
  let client: PaperlineClient;
  beforeAll(async () => {
    pipeline = await startLocalPipeline({ log: silentLogger(), overrides: { layout: { model: 'none' } } });
    client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await pipeline?.close();
  });

  const page = (): Uint8Array => {
    const texts: PdfText[] = [
      { text: BODY, x: 72, y: 100 },
      // E = mc^2 (1): the exponent smaller and 4 pt up
      { text: 'E = mc', x: 250, y: 150 },
      { text: '2', x: 285.5, y: 146, size: 7 },
      { text: '(1)', x: 520, y: 150 },
      { text: BODY, x: 72, y: 200 },
      // a over b (2), the bar between them
      { text: 'a', x: 262, y: 245 },
      { text: 'b', x: 262, y: 262 },
      { text: '(2)', x: 520, y: 252 },
      { text: BODY, x: 72, y: 300 },
      // alpha <= beta, set in the Symbol font alone on its line
      { text: 'a \xa3 b', x: 250, y: 340, font: 'Symbol' },
      { text: BODY, x: 72, y: 380 },
    ];
    return buildPdf([{ texts, lines: [{ x0: 258, y0: 249, x1: 272, y1: 249, width: 0.5 }] }]);
  };

  it('with the formula feature off, the document completes with the formulas as text', async () => {
    const docId = await client.submit(page(), { fileName: 'formulas-off.pdf', options: { features: { formula: false } } });
    const job = await client.wait(docId, { timeoutMs: 120_000 });
    expect(job.status).toBe('completed');
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    expect(md).not.toContain('$$');
    expect(md).toContain('E = mc 2 (1)');
  });

  it('a superscript from its raised baseline, a fraction from its ruling, Greek and relations from a math font', async () => {
    const docId = await client.submit(page(), { fileName: 'formulas.pdf' });
    const job = await client.wait(docId, { timeoutMs: 120_000 });
    expect(job.status).toBe('completed');
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    expect(md).toContain('$$\nE=mc^{2}\n$$');
    expect(md).toContain('$$\n\\frac{a}{b}\n$$');
    expect(md).toContain('$$\n\\alpha\\leq\\beta\n$$');
    const doc = ParsedDocumentSchema.parse(JSON.parse(new TextDecoder().decode(await client.result(docId, 'json'))));
    const formulas = doc.pages[0]!.blocks.filter((b) => b.type === 'formula');
    expect(formulas.map((f) => f.latex)).toEqual(['E=mc^{2}', '\\frac{a}{b}', '\\alpha\\leq\\beta']);
    // in reading order between the paragraphs
    expect(doc.pages[0]!.blocks.map((b) => b.type)).toEqual(['text', 'formula', 'text', 'formula', 'text', 'formula', 'text']);
  });
});
