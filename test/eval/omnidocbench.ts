// OmniDocBench's page annotations (OmniDocBench_demo.json) and how their categories map to
// paperline's block types for scoring. The mapping, written down once:
//
// | OmniDocBench category                                | scored as | paperline block types counted   |
// |------------------------------------------------------|-----------|---------------------------------|
// | text_block                                           | text      | text, list                      |
// | title                                                | title     | title, heading                  |
// | table                                                | table     | table                           |
// | equation_isolated                                    | formula   | formula                         |
// | figure                                               | figure    | figure, chart                   |
// | figure_caption, table_caption                        | caption   | caption                         |
// | page_footnote, table_footnote, figure_footnote       | footnote  | footnote                        |
// | header                                               | header    | header                          |
// | footer, page_number                                  | footer    | footer                          |
// | abandon, equation_caption, ignored regions           | (none)    | a prediction on one is not scored |
//
// equation_caption is an equation's number: paperline keeps it inside the formula block or as text.
import { readFileSync } from 'node:fs';
import type { BBox, BlockType } from '@paperline/contracts';

export const EVAL_CLASSES = ['text', 'title', 'table', 'formula', 'figure', 'caption', 'footnote', 'header', 'footer'] as const;
export type EvalClass = (typeof EVAL_CLASSES)[number];

const TRUTH_CLASS: Record<string, EvalClass | undefined> = {
  text_block: 'text',
  title: 'title',
  table: 'table',
  equation_isolated: 'formula',
  figure: 'figure',
  figure_caption: 'caption',
  table_caption: 'caption',
  page_footnote: 'footnote',
  table_footnote: 'footnote',
  figure_footnote: 'footnote',
  header: 'header',
  footer: 'footer',
  page_number: 'footer',
};

export const BLOCK_CLASS: Record<BlockType, EvalClass> = {
  text: 'text',
  list: 'text',
  code: 'text',
  title: 'title',
  heading: 'title',
  table: 'table',
  formula: 'formula',
  figure: 'figure',
  chart: 'figure',
  caption: 'caption',
  footnote: 'footnote',
  header: 'header',
  footer: 'footer',
};

export interface TruthRegion {
  /** Undefined: a region where predictions are not scored (abandon, equation numbers, ignored). */
  cls: EvalClass | undefined;
  category: string;
  bbox: BBox;
  latex?: string;
  html?: string;
}

export interface TruthPage {
  image: string;
  width: number;
  height: number;
  regions: TruthRegion[];
}

interface RawDet {
  category_type: string;
  poly: number[];
  ignore?: boolean;
  latex?: string;
  html?: string;
}

interface RawPage {
  layout_dets: RawDet[];
  page_info: { width: number; height: number; image_path: string };
}

export function loadTruth(path: string): TruthPage[] {
  const pages = JSON.parse(readFileSync(path, 'utf8')) as RawPage[];
  return pages.map((p) => ({
    image: p.page_info.image_path,
    width: p.page_info.width,
    height: p.page_info.height,
    regions: p.layout_dets.map((d) => {
      const xs = d.poly.filter((_, i) => i % 2 === 0);
      const ys = d.poly.filter((_, i) => i % 2 === 1);
      return {
        cls: d.ignore ? undefined : TRUTH_CLASS[d.category_type],
        category: d.category_type,
        bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as BBox,
        ...(d.latex ? { latex: d.latex } : {}),
        ...(d.html ? { html: d.html } : {}),
      };
    }),
  }));
}

/** LaTeX as compared: without $ / $$ delimiters and whitespace (spacing is not content in math mode). */
export function normaliseLatex(latex: string): string {
  return latex.replace(/^\s*\${1,2}|\${1,2}\s*$/g, '').replace(/\s+/g, '');
}
