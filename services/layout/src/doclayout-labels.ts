// PP-DocLayout's 23 classes (in the models' output order) and the paperline block type each one
// becomes. Classes without a block type of their own take the nearest one: a page number is page
// furniture like a footer, a seal is a picture, an abstract or a reference is running text.
import type { BlockType } from '@paperline/contracts';

export const DOCLAYOUT_LABELS = [
  'paragraph_title',
  'image',
  'text',
  'number',
  'abstract',
  'content',
  'figure_title',
  'formula',
  'table',
  'table_title',
  'reference',
  'doc_title',
  'footnote',
  'header',
  'algorithm',
  'footer',
  'seal',
  'chart_title',
  'chart',
  'formula_number',
  'header_image',
  'footer_image',
  'aside_text',
] as const;
export type DocLayoutLabel = (typeof DOCLAYOUT_LABELS)[number];

export const DOCLAYOUT_BLOCK_TYPES = {
  paragraph_title: 'heading',
  image: 'figure',
  text: 'text',
  number: 'footer',
  abstract: 'text',
  content: 'text',
  figure_title: 'caption',
  formula: 'formula',
  table: 'table',
  table_title: 'caption',
  reference: 'text',
  doc_title: 'title',
  footnote: 'footnote',
  header: 'header',
  algorithm: 'text',
  footer: 'footer',
  seal: 'figure',
  chart_title: 'caption',
  chart: 'chart',
  formula_number: 'text',
  header_image: 'header',
  footer_image: 'footer',
  aside_text: 'text',
} as const satisfies Record<DocLayoutLabel, BlockType>;

/** The label of a class index, undefined for padding rows (-1) and indices past the list. */
export function labelOf(classIndex: number): DocLayoutLabel | undefined {
  return Number.isInteger(classIndex) ? DOCLAYOUT_LABELS[classIndex] : undefined;
}
