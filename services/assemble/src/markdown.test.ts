import { describe, expect, it } from 'vitest';
import type { Block, JobRecord } from '@paperline/contracts';
import { buildDocument } from './document.js';
import { renderMarkdown } from './markdown.js';

let nextId = 0;
function block(type: Block['type'], text: string, y: number, extra: Partial<Block> = {}): Block {
  return { id: `b${nextId++}`, type, bbox: [50, y, 500, y + 20], text, confidence: 1, source: 'text-layer', order: y, ...extra };
}

const job: JobRecord = {
  v: 1,
  docId: 'doc-123456',
  fileName: 'report.pdf',
  status: 'running',
  pageCount: 3,
  pagesDone: [1, 2, 3],
  options: { priority: 'normal', features: {}, outputFormats: ['md', 'json'] },
  outputs: {},
  submittedAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};

function page(n: number, blocks: Block[]) {
  return { record: { v: 1 as const, docId: job.docId, page: n, width: 600, height: 800, layoutSeen: true, expected: [], received: [] }, blocks };
}

describe('buildDocument and renderMarkdown', () => {
  it('writes headings, paragraphs, lists, tables and images in reading order', () => {
    const doc = buildDocument(job, [
      page(1, [
        block('text', 'Second paragraph.', 300),
        block('title', 'Annual Report', 100, { level: 1 }),
        block('text', 'First paragraph\nwraps here.', 200),
        block('list', '• one\n• two', 400),
        block('list', '3) three', 450),
        block('table', 'a b', 500, { html: '<table><tr><td>a</td><td>b</td></tr></table>' }),
        block('figure', 'Figure 1: a chart', 600, { image: 'doc-123456/1/fig-0.png' }),
      ]),
    ]);
    expect(doc.pages[0]?.blocks.map((b) => b.order)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(renderMarkdown(doc)).toBe(
      [
        '# Annual Report',
        'First paragraph\nwraps here.',
        'Second paragraph.',
        '- one\n- two\n3) three',
        '<table><tr><td>a</td><td>b</td></tr></table>',
        '![figure](doc-123456/1/fig-0.png)\n\nFigure 1: a chart',
      ].join('\n\n') + '\n',
    );
  });

  it('fences a code block as it was set, longer than any backtick run inside', () => {
    const doc = buildDocument(job, [page(1, [block('text', 'Run it:', 100), block('code', 'name    value\n  a ``b``   1', 200)])]);
    expect(renderMarkdown(doc)).toBe('Run it:\n\n```\nname    value\n  a ``b``   1\n```\n');
    const ticks = buildDocument(job, [page(1, [block('code', 'x ``` y', 100)])]);
    expect(renderMarkdown(ticks)).toBe('````\nx ``` y\n````\n');
  });

  it('drops running headers, footers and page numbers from the Markdown but keeps them in the JSON', () => {
    const pages = [1, 2, 3].map((n) =>
      page(n, [block('text', 'ACME Corp — Quarterly', 10), block('text', `Body of page ${n}.`, 300), block('text', String(n), 770)]),
    );
    const doc = buildDocument(job, pages);
    expect(doc.pages.map((p) => p.blocks.map((b) => b.type))).toEqual([
      ['header', 'text', 'footer'],
      ['header', 'text', 'footer'],
      ['header', 'text', 'footer'],
    ]);
    const md = renderMarkdown(doc);
    expect(md).not.toContain('ACME');
    expect(md).toContain('Body of page 1.\n\n<!-- page 2 -->\n\nBody of page 2.');
  });

  it('keeps a margin text that appears on one page only', () => {
    const doc = buildDocument(job, [page(1, [block('text', 'Draft', 10)]), page(2, [block('text', 'Body', 300)]), page(3, [block('text', 'Body', 300)])]);
    expect(doc.pages[0]?.blocks[0]?.type).toBe('text');
  });

  it("marks a journal's running header set 11 % down the page, but not the title it repeats on page 1", () => {
    const header = 'P.N.J. Lane et al. / Journal of Hydrology 310 (2005) 253–265';
    const doc = buildDocument(job, [
      page(1, [block('title', header, 20, { level: 1 }), block('text', 'Body of page 1.', 300)]),
      ...[2, 3].map((n) => page(n, [block('text', header, 70), block('text', `Body of page ${n}.`, 300)])),
    ]);
    expect(doc.pages.map((p) => p.blocks[0]?.type)).toEqual(['title', 'header', 'header']);
  });

  it("takes a number standing alone in the top margin for a page number, not a chart's tick labels there", () => {
    const tick = (text: string, x: number): Block => ({ ...block('text', text, 40), bbox: [x, 40, x + 20, 56] });
    const doc = buildDocument(job, [
      page(1, [{ ...block('text', '257', 20), bbox: [520, 20, 545, 36] }, tick('0', 100), tick('0.2', 160), tick('0.4', 220), block('text', 'Body.', 300)]),
    ]);
    expect(doc.pages[0]!.blocks.map((b) => [b.text, b.type])).toEqual([
      ['257', 'header'],
      ['0', 'text'],
      ['0.2', 'text'],
      ['0.4', 'text'],
      ['Body.', 'text'],
    ]);
  });

  it('ranks heading levels by font size across the whole document, a title on page 1 only', () => {
    const heading = (text: string, y: number, fontSize: number, level: number) => block('heading', text, y, { fontSize, level });
    const doc = buildDocument(job, [
      // layout guessed levels per page: page 2 has no title, so its sections looked like level 1
      page(1, [block('title', 'A Title', 100, { level: 1, fontSize: 40 }), heading('First section', 200, 24, 2), heading('A subsection', 300, 21, 3)]),
      page(2, [heading('Second section', 100, 24, 1), heading('Another subsection', 200, 21.5, 2)]),
      page(3, [heading('Third section', 100, 24.5, 2)]),
    ]);
    expect(renderMarkdown(doc).split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '# A Title',
      '## First section',
      '### A subsection',
      '## Second section',
      '### Another subsection',
      '## Third section',
    ]);
  });
});
