// A document model as print-ready HTML: one fixed-size A4 box per page, so what lands on which
// page is decided here (content that does not fit is measured and cut by print.ts), not by the
// browser's pagination. Every content item carries class "b" for that measurement.
import type { Content, DocumentModel, PageModel } from './model.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Soft hyphens in long Latin words: the browser hyphenates there at a line end, and only there. */
function hyphenable(text: string): string {
  return escape(text).replace(/\b([a-z]{4,})([a-z]{4,})\b/g, '$1\u00ad$2');
}

function contentHtml(content: Content): string {
  switch (content.kind) {
    case 'heading':
      return `<h${content.level} class="b">${escape(content.text)}</h${content.level}>`;
    case 'paragraph':
      return `<p class="b" dir="auto">${hyphenable(content.text)}</p>`;
    case 'list': {
      const tag = content.ordered ? 'ol' : 'ul';
      return `<${tag} class="b">${content.items.map((item) => `<li>${escape(item)}</li>`).join('')}</${tag}>`;
    }
  }
}

/** Side-heads: each level-2 heading and what follows it until the next one is a section row. */
function sideHeadSections(body: readonly Content[]): string {
  const sections: { head?: Content; rest: Content[] }[] = [];
  for (const content of body) {
    if (content.kind === 'heading' && content.level === 2) sections.push({ head: content, rest: [] });
    else if (sections.length === 0) sections.push({ rest: [content] });
    else sections[sections.length - 1]!.rest.push(content);
  }
  return sections
    .map((s) => `<div class="sec"><div class="sh">${s.head ? contentHtml(s.head) : ''}</div><div class="sb">${s.rest.map(contentHtml).join('')}</div></div>`)
    .join('');
}

function pageHtml(model: DocumentModel, page: PageModel, number: number): string {
  const body = model.arrangement.kind === 'side-heads' ? sideHeadSections(page.body) : page.body.map(contentHtml).join('');
  return [
    '<div class="page">',
    page.header ? `<div class="header">${escape(page.header)}</div>` : '',
    page.stamp ? `<div class="stamp">${escape(page.stamp)}</div>` : '',
    '<div class="main">',
    page.title ? `<h1>${escape(page.title)}</h1>` : '',
    `<div class="flow">${body}</div>`,
    page.footnotes.length ? `<div class="notes">${page.footnotes.map((n) => `<p>${escape(n)}</p>`).join('')}</div>` : '',
    '</div>',
    page.footer ? `<div class="footer">${escape(page.footer.replace('#', String(number)))}</div>` : '',
    '</div>',
  ].join('');
}

export function documentHtml(model: DocumentModel): string {
  const size = model.bodySizePt;
  const columns = model.arrangement.kind === 'columns' ? model.arrangement.count : 1;
  const start = model.dir === 'rtl' ? 'right' : 'left';
  const css = `
@page { size: 210mm 297mm; margin: 0 }
html, body { margin: 0; padding: 0 }
body { font-family: '${model.font}'; font-size: ${size}pt; line-height: 1.3; color: #000 }
.page { width: 210mm; height: 297mm; position: relative; overflow: hidden; break-after: page }
.header { position: absolute; top: 9mm; left: 18mm; right: 18mm; font-size: ${size - 2}pt; color: #333; border-bottom: 0.4pt solid #888; padding-bottom: 1.5pt }
.footer { position: absolute; bottom: 9mm; left: 18mm; right: 18mm; font-size: ${size - 1.5}pt; text-align: center; color: #333 }
.stamp { position: absolute; left: 7mm; top: 250mm; transform-origin: 0 0; transform: rotate(-90deg); font-size: 6.5pt; white-space: nowrap; color: #555; direction: ltr }
.main { position: absolute; top: 20mm; bottom: 19mm; left: 18mm; right: 18mm; display: flex; flex-direction: column }
h1 { font-size: ${size * 2}pt; font-weight: bold; margin: 0 0 ${size}pt; line-height: 1.15 }
h2 { font-size: ${size * 1.45}pt; font-weight: bold; margin: ${size * 0.6}pt 0 ${size * 0.35}pt }
h3 { font-size: ${size * 1.18}pt; font-weight: bold; font-style: italic; margin: ${size * 0.5}pt 0 ${size * 0.3}pt }
p { margin: 0 0 ${size * 0.55}pt; text-align: justify }
ul, ol { margin: 0 0 ${size * 0.55}pt; padding-${start}: ${size * 1.6}pt }
.flow { flex: 1 1 0; min-height: 0; column-count: ${columns}; column-gap: ${model.gutterPt}pt; column-fill: auto; overflow: hidden }
.flow > :first-child { margin-top: 0 }
.sec { display: grid; grid-template-columns: 24% 1fr; column-gap: ${model.gutterPt}pt; break-inside: avoid }
.sh h2 { font-size: ${size * 1.1}pt; margin: 0; text-align: ${start} }
.notes { border-top: 0.4pt solid #888; margin-top: ${size * 0.4}pt; padding-top: 2pt; font-size: ${size - 2}pt }
.notes p { margin: 0 0 1pt; text-align: start }
`;
  const pages = model.pages.map((page, i) => pageHtml(model, page, i + 1)).join('');
  return `<!doctype html><html lang="${model.lang}" dir="${model.dir}"><head><meta charset="utf-8"><style>${css}</style></head><body>${pages}</body></html>`;
}
