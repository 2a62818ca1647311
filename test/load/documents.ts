// The documents of the load runs: small ones, so that a run measures the pipeline's turnover
// rather than one document's work: a 2-page born-digital PDF (a generated fixture, text layer
// path) and a small page image (OCR path).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textImage } from '@paperline/testing';
import type { LoadDocument } from './clients.js';

export async function loadDocuments(): Promise<LoadDocument[]> {
  const pdf = readFileSync(join(import.meta.dirname, '../fixtures/generated/latin-two-pages.pdf'));
  const image = await textImage(['Invoice 2041', 'Paperline reads scanned pages with PP-OCR', 'Total due: 17.50 EUR'], 'png', { width: 900, height: 260, fontSize: 30 });
  return [
    { kind: 'pdf', fileName: 'two-pages.pdf', mediaType: 'application/pdf', bytes: pdf, pages: 2, expect: 'final large traffic' },
    { kind: 'image', fileName: 'invoice.png', mediaType: 'image/png', bytes: image, pages: 1, expect: 'Invoice' },
  ];
}
