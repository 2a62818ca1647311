// Ground-truth Markdown of a document model: what a perfect parser returns. Running headers,
// footers and marginal stamps are page furniture and stay out; footnotes follow their page's body.
import type { Content, DocumentModel, PageModel } from './model.js';

function contentMarkdown(content: Content): string {
  switch (content.kind) {
    case 'heading':
      return `${'#'.repeat(content.level)} ${content.text}`;
    case 'paragraph':
      return content.text;
    case 'list':
      return content.items.map((item, i) => (content.ordered ? `${i + 1}. ${item}` : `- ${item}`)).join('\n');
  }
}

export function pageMarkdown(page: PageModel): string {
  const parts = [...(page.title ? [`# ${page.title}`] : []), ...page.body.map(contentMarkdown), ...page.footnotes];
  return `${parts.join('\n\n')}\n`;
}

export function documentMarkdown(model: DocumentModel): string {
  return `${model.pages.map((page) => pageMarkdown(page).trimEnd()).join('\n\n')}\n`;
}
