import type { Block, ParsedDocument } from '@paperline/contracts';

/** Blocks that are page furniture, not content: kept in the JSON, left out of the Markdown. */
const OMITTED: ReadonlySet<Block['type']> = new Set(['header', 'footer']);

function heading(block: Block, fallbackLevel: number): string {
  const level = Math.min(6, Math.max(1, block.level ?? fallbackLevel));
  return `${'#'.repeat(level)} ${block.text.replace(/\s*\n\s*/g, ' ').trim()}`;
}

function listItems(text: string): string {
  return text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => (/^([-*•·▪◦●]|\d+[.)]|[a-z][.)])\s+/i.test(line) ? line.replace(/^[•·▪◦●]\s*/, '- ') : `- ${line}`))
    .join('\n');
}

function paragraph(text: string): string {
  return text.replace(/[ \t]*\n[ \t]*/g, '\n').trim();
}

export function blockToMarkdown(block: Block): string | undefined {
  switch (block.type) {
    case 'title':
      return heading(block, 1);
    case 'heading':
      return heading(block, 2);
    case 'list':
      return listItems(block.text);
    case 'table':
      // GFM where the table has no merged cells, HTML (rowspan/colspan) where it has
      return block.markdown ?? block.html ?? paragraph(block.text);
    case 'code': {
      // a fence longer than any run of backticks inside
      const fence = '`'.repeat(Math.max(3, ...[...block.text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
      return block.text.trim() ? `${fence}\n${block.text.replace(/^\n+|\s+$/g, '')}\n${fence}` : undefined;
    }
    case 'formula':
      if (block.latex) return `$$\n${block.latex}\n$$`;
      return [paragraph(block.text), block.image ? `![formula](${block.image})` : ''].filter(Boolean).join('\n\n') || undefined;
    case 'figure':
    case 'chart': {
      // the caption is also a block of its own beside the figure: here it is the image's alt text
      const alt = (block.caption ?? block.type).replace(/[[\]\n]/g, ' ').trim();
      const image = block.image ? `![${alt}](${block.image})` : '';
      const data = block.markdown ?? block.html ?? '';
      return [image, block.text ? paragraph(block.text) : '', data].filter(Boolean).join('\n\n') || undefined;
    }
    default:
      return block.text.trim() ? paragraph(block.text) : undefined;
  }
}

/** Markdown in reading order: headings, paragraphs, lists, tables (GFM or HTML), images as references. */
export function renderMarkdown(document: ParsedDocument): string {
  let out = '';
  let previous: Block['type'] | undefined;
  for (const page of document.pages) {
    if (document.pages.length > 1) {
      out += `${out ? '\n\n' : ''}<!-- page ${page.page} -->`;
      previous = undefined;
    }
    for (const block of page.blocks) {
      if (OMITTED.has(block.type)) continue;
      const md = blockToMarkdown(block);
      if (!md) continue;
      // the items of one list arrive as consecutive list blocks: keep them one list
      const separator = !out ? '' : previous === 'list' && block.type === 'list' ? '\n' : '\n\n';
      out += separator + md;
      previous = block.type;
    }
  }
  return `${out}\n`;
}
