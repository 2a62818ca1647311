// The document sets: a seeded dev set of any size, and the fixture set the tests ship (one
// document per failure class, plus a few of the random mix).
import { generateDocument, type DocumentModel, type GenerateOptions } from './model.js';

export interface SetEntry {
  name: string;
  options: GenerateOptions;
}

export function devSet(count: number, seed: number): SetEntry[] {
  return Array.from({ length: count }, (_, i) => ({ name: `doc-${String(i + 1).padStart(3, '0')}`, options: { seed: seed * 1000 + i } }));
}

/** Pinned cases: each named for what it checks. One page each, so the fixtures stay small. */
export const FIXTURE_SET: readonly SetEntry[] = [
  { name: 'arabic-one-column', options: { seed: 11, pages: 1, script: 'arabic', arrangement: { kind: 'columns', count: 1 } } },
  { name: 'arabic-two-columns', options: { seed: 12, pages: 1, script: 'arabic', arrangement: { kind: 'columns', count: 2 }, gutterPt: 10 } },
  { name: 'hebrew-one-column', options: { seed: 13, pages: 1, script: 'hebrew', arrangement: { kind: 'columns', count: 1 } } },
  { name: 'hebrew-side-heads', options: { seed: 14, pages: 1, script: 'hebrew', arrangement: { kind: 'side-heads' }, gutterPt: 8 } },
  { name: 'latin-two-columns-6pt', options: { seed: 15, pages: 1, script: 'latin', arrangement: { kind: 'columns', count: 2 }, gutterPt: 6 } },
  { name: 'latin-side-heads-6pt', options: { seed: 16, pages: 1, script: 'latin', arrangement: { kind: 'side-heads' }, gutterPt: 6 } },
  { name: 'latin-three-columns', options: { seed: 17, pages: 1, script: 'latin', arrangement: { kind: 'columns', count: 3 }, gutterPt: 8 } },
  { name: 'latin-one-column', options: { seed: 18, pages: 1, script: 'latin', arrangement: { kind: 'columns', count: 1 } } },
  { name: 'cjk-one-column', options: { seed: 19, pages: 1, script: 'cjk', arrangement: { kind: 'columns', count: 1 } } },
  { name: 'cjk-two-columns', options: { seed: 20, pages: 1, script: 'cjk', arrangement: { kind: 'columns', count: 2 }, gutterPt: 6 } },
  { name: 'mixed-two-pages', options: { seed: 21, pages: 2 } },
  { name: 'latin-two-pages', options: { seed: 22, pages: 2, script: 'latin', arrangement: { kind: 'columns', count: 2 }, gutterPt: 12 } },
  { name: 'arabic-three-columns-8pt', options: { seed: 33, pages: 1, script: 'arabic', arrangement: { kind: 'columns', count: 3 }, gutterPt: 8 } },
  { name: 'cjk-three-columns-6pt', options: { seed: 36, pages: 1, script: 'cjk', arrangement: { kind: 'columns', count: 3 }, gutterPt: 6 } },
  { name: 'latin-side-heads-three-pages', options: { seed: 25, pages: 3, script: 'latin', arrangement: { kind: 'side-heads' }, gutterPt: 10 } },
];

export function modelsOf(entries: readonly SetEntry[]): DocumentModel[] {
  return entries.map((entry) => generateDocument(entry.name, entry.options));
}
