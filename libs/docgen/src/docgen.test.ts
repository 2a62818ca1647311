import { describe, expect, it } from 'vitest';
import { documentHtml, documentMarkdown, FIXTURE_SET, generateDocument, modelsOf, truncatePages } from './index.js';

describe('generated documents', () => {
  it('are the same for the same seed and differ for another', () => {
    expect(generateDocument('a', { seed: 7 })).toEqual(generateDocument('a', { seed: 7 }));
    expect(documentMarkdown(generateDocument('a', { seed: 7 }))).not.toEqual(documentMarkdown(generateDocument('a', { seed: 8 })));
  });

  it('write the body, title and footnotes into the truth, and leave the page furniture out', () => {
    const model = generateDocument('furniture', { seed: 3, pages: 1, script: 'latin' });
    const page = { ...model.pages[0]!, header: 'Running Header', footer: 'Page #', stamp: 'Downloaded from https://example.org', footnotes: ['1 A note.'] };
    const markdown = documentMarkdown({ ...model, pages: [page] });
    expect(markdown.startsWith(`# ${page.title}\n\n`)).toBe(true);
    expect(markdown.trimEnd().endsWith('1 A note.')).toBe(true);
    expect(markdown).not.toMatch(/Running Header|Page 1|Downloaded/);
    const html = documentHtml({ ...model, pages: [page] });
    expect(html).toContain('Running Header');
    expect(html).toContain('Page 1');
  });

  it('set right-to-left scripts right to left, and numbers and Latin terms inside them', () => {
    const model = generateDocument('rtl', { seed: 5, pages: 1, script: 'arabic' });
    expect(model.dir).toBe('rtl');
    expect(documentHtml(model)).toContain('dir="rtl"');
    const text = documentMarkdown(model);
    expect(text).toMatch(/[\u0600-\u06ff]/);
    expect(text).toMatch(/\d/);
  });

  it('mark long Latin words hyphenable, and keep the truth free of soft hyphens', () => {
    const model = generateDocument('latin', { seed: 9, pages: 1, script: 'latin' });
    expect(documentHtml(model)).toContain('\u00ad');
    expect(documentMarkdown(model)).not.toContain('\u00ad');
  });

  it('side-heads put each section heading in a row beside its text', () => {
    const model = generateDocument('sh', { seed: 4, pages: 1, script: 'latin', arrangement: { kind: 'side-heads' } });
    const html = documentHtml(model);
    const sections = model.pages[0]!.body.filter((c) => c.kind === 'heading' && c.level === 2).length;
    expect(html.match(/class="sec"/g)?.length).toBe(sections);
  });

  it('truncation keeps what fitted on each page', () => {
    const model = generateDocument('t', { seed: 2, pages: 2 });
    const cut = truncatePages(model, [1, 2]);
    expect(cut.pages.map((p) => p.body.length)).toEqual([1, 2]);
  });

  it('fixture names are unique', () => {
    const names = modelsOf(FIXTURE_SET).map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
