import { SCHEMA_VERSION, type Block, type JobRecord, type PageRecord, type ParsedDocument } from '@paperline/contracts';
import { rankHeadingLevels } from './heading-levels.js';
import { markPageFurniture } from './page-furniture.js';

export interface AssembledPage {
  record: PageRecord;
  blocks: Block[];
}

/** Builds the JSON document: pages in order, each page's blocks in reading order. */
export function buildDocument(job: JobRecord, pages: AssembledPage[]): ParsedDocument {
  const ordered = [...pages].sort((a, b) => a.record.page - b.record.page);
  const sorted = ordered.map((p) => ({ height: p.record.height, blocks: [...p.blocks].sort((a, b) => a.order - b.order) }));
  const marked = rankHeadingLevels(markPageFurniture(sorted));
  return {
    v: SCHEMA_VERSION,
    docId: job.docId,
    fileName: job.fileName,
    pageCount: ordered.length,
    pages: ordered.map((p, i) => ({
      page: p.record.page,
      width: p.record.width,
      height: p.record.height,
      blocks: (marked[i] ?? []).map((block, order) => ({ ...block, order })),
    })),
    createdAt: new Date().toISOString(),
  };
}
