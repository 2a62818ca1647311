// A born-digital PDF to Markdown in one process, through the same functions the render, layout and
// assemble stages call (no bus, no crops: figures keep their text). Fast enough for tests on the
// generated fixtures and for trying a change to the reading code on a whole dev set.
import { DocOptionsSchema, FEATURES, SCHEMA_VERSION, type JobRecord, type ParsedDocument } from '@paperline/contracts';
import { buildDocument, renderMarkdown } from '@paperline/assemble';
import { layoutPage } from '@paperline/layout';
import { DEFAULT_PDF_ENGINE, openDocument, selectPages, type PdfEngine } from '@paperline/render';

const features = Object.fromEntries(FEATURES.map((f) => [f, true])) as Record<(typeof FEATURES)[number], boolean>;

export async function parseTextLayer(bytes: Uint8Array, fileName = 'doc.pdf', engine: PdfEngine = DEFAULT_PDF_ENGINE): Promise<{ document: ParsedDocument; markdown: string }> {
  const opened = await openDocument(bytes, 'application/pdf', { fileName, pdfEngine: engine });
  const options = DocOptionsSchema.parse({});
  const docId = 'quality';
  const pages = [];
  try {
    for await (const page of opened.pages(selectPages(opened.pageCount))) {
      const task = {
        v: SCHEMA_VERSION,
        docId,
        page: page.page,
        pageCount: opened.pageCount,
        width: page.width,
        height: page.height,
        dpi: page.dpi,
        source: { kind: 'pdf' as const, object: fileName },
        raster: null,
        textLayer: null,
        options,
      };
      const { blocks } = layoutPage(task, page.textLayer, { features });
      pages.push({ record: { v: SCHEMA_VERSION, docId, page: page.page, width: page.width, height: page.height, layoutSeen: true, expected: [], received: [] }, blocks });
    }
  } finally {
    await opened.close();
  }
  const now = new Date().toISOString();
  const job: JobRecord = { v: SCHEMA_VERSION, docId, fileName, status: 'running', pageCount: pages.length, pagesDone: [], options, outputs: {}, submittedAt: now, updatedAt: now };
  const document = buildDocument(job, pages);
  return { document, markdown: renderMarkdown(document) };
}
