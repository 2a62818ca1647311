// The source model of a generated document: what each page holds, in reading order. The HTML that
// Chromium prints and the ground-truth Markdown are both written from it, so the truth is exact.
import { Random } from './random.js';
import { paragraph, phrase, sentence, type Script } from './vocabulary.js';

export type Content =
  | { kind: 'heading'; level: 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] };

/** Side-heads: each section's heading in a narrow column left of (right of, in RTL) its text. */
export type Arrangement = { kind: 'columns'; count: 1 | 2 | 3 } | { kind: 'side-heads' };

export interface PageModel {
  /** The document's title, set large at the top of the first page. */
  title?: string;
  /** Running header (not content). */
  header?: string;
  /** Running footer; `#` stands for the page number (not content). */
  footer?: string;
  /** A marginal notice (download stamp with a URL) along the page's outer edge (not content). */
  stamp?: string;
  /** Content in reading order; with side-heads each level-2 heading opens a section. */
  body: Content[];
  /** Notes at the foot of the page, read after the body. */
  footnotes: string[];
}

export interface DocumentModel {
  name: string;
  script: Script;
  /** A Latin document with paragraphs of another script inside. */
  mixedWith?: Script;
  lang: string;
  dir: 'ltr' | 'rtl';
  font: string;
  bodySizePt: number;
  gutterPt: number;
  arrangement: Arrangement;
  pages: PageModel[];
}

const FONTS: Record<Script, readonly string[]> = {
  latin: ['DejaVu Serif', 'Liberation Serif', 'Noto Serif', 'Liberation Sans', 'DejaVu Sans'],
  arabic: ['Noto Naskh Arabic', 'Noto Sans Arabic'],
  hebrew: ['Noto Sans Hebrew', 'Noto Serif Hebrew', 'DejaVu Sans'],
  cjk: ['Noto Sans CJK SC', 'Noto Serif CJK SC'],
};
const LANGS: Record<Script, string> = { latin: 'en', arabic: 'ar', hebrew: 'he', cjk: 'zh' };
const GUTTERS_PT = [6, 6, 8, 10, 14, 18, 24];

export interface GenerateOptions {
  seed: number;
  /** Pages per document. @default 1 to 3 */
  pages?: number;
  /** Force a script (the fixtures pin one failure class each). */
  script?: Script;
  arrangement?: Arrangement;
  gutterPt?: number;
}

function pickScript(random: Random): { script: Script; mixedWith?: Script } {
  const roll = random.next();
  if (roll < 0.4) return { script: 'latin' };
  if (roll < 0.55) return { script: 'arabic' };
  if (roll < 0.7) return { script: 'hebrew' };
  if (roll < 0.85) return { script: 'cjk' };
  return { script: 'latin', mixedWith: random.pick(['arabic', 'hebrew', 'cjk'] as const) };
}

function pickArrangement(random: Random): Arrangement {
  const roll = random.next();
  if (roll < 0.3) return { kind: 'columns', count: 1 };
  if (roll < 0.65) return { kind: 'columns', count: 2 };
  if (roll < 0.8) return { kind: 'columns', count: 3 };
  return { kind: 'side-heads' };
}

function body(random: Random, script: Script, mixedWith: Script | undefined, sideHeads: boolean): Content[] {
  const out: Content[] = [];
  const sections = random.int(4, 7);
  for (let s = 0; s < sections; s++) {
    out.push({ kind: 'heading', level: 2, text: phrase(random, script, 1, 4) });
    const parts = random.int(2, 5);
    for (let p = 0; p < parts; p++) {
      const roll = random.next();
      if (!sideHeads && roll < 0.15) out.push({ kind: 'heading', level: 3, text: phrase(random, script, 2, 5) });
      else if (roll < 0.3) {
        const items = Array.from({ length: random.int(2, 4) }, () => (random.chance(0.5) ? sentence(random, script, 4, 9) : phrase(random, script, 2, 5)));
        out.push({ kind: 'list', ordered: random.chance(0.4), items });
      }
      const other = mixedWith && random.chance(0.35) ? mixedWith : script;
      out.push({ kind: 'paragraph', text: paragraph(random, other, random.int(2, 5)) });
    }
  }
  return out;
}

/** One document; the same options always give the same document. */
export function generateDocument(name: string, options: GenerateOptions): DocumentModel {
  const random = new Random(options.seed);
  const picked = options.script ? { script: options.script } : pickScript(random);
  const { script } = picked;
  const mixedWith = 'mixedWith' in picked ? picked.mixedWith : undefined;
  const arrangement = options.arrangement ?? pickArrangement(random);
  const pageCount = options.pages ?? random.int(1, 3);
  const title = phrase(random, script, 3, 7);
  const header = random.chance(0.7) ? (random.chance(0.5) ? `${title}` : `Journal of ${phrase(random, 'latin', 1, 3)}, Vol. ${random.int(1, 60)} (${random.int(1995, 2026)})`) : undefined;
  const footer = random.chance(0.8) ? random.pick(['#', 'Page #', '— # —', `# | ${phrase(random, 'latin', 1, 2)}`]) : undefined;
  const stamp = random.chance(0.3) ? `Downloaded from https://www.example.org/doi/${random.int(10, 99)}.${random.int(1000, 9999)} on ${random.int(1, 28)} May ${random.int(2019, 2026)}` : undefined;
  const pages: PageModel[] = [];
  for (let n = 0; n < pageCount; n++) {
    const footnotes = random.chance(0.35) ? Array.from({ length: random.int(1, 2) }, (_, i) => `${i + 1} ${sentence(random, script, 5, 12)}`) : [];
    pages.push({
      ...(n === 0 ? { title } : {}),
      ...(header ? { header } : {}),
      ...(footer ? { footer } : {}),
      ...(stamp ? { stamp } : {}),
      body: body(random, script, mixedWith, arrangement.kind === 'side-heads'),
      footnotes,
    });
  }
  return {
    name,
    script,
    ...(mixedWith ? { mixedWith } : {}),
    lang: LANGS[script],
    dir: script === 'arabic' || script === 'hebrew' ? 'rtl' : 'ltr',
    font: random.pick(FONTS[script]),
    bodySizePt: random.pick([9, 9.5, 10, 10.5, 11]),
    gutterPt: options.gutterPt ?? random.pick(GUTTERS_PT),
    arrangement,
    pages,
  };
}

/** Keeps the first `counts[i]` body items of page i (what fitted on the printed page). */
export function truncatePages(model: DocumentModel, counts: readonly number[]): DocumentModel {
  return { ...model, pages: model.pages.map((page, i) => ({ ...page, body: page.body.slice(0, counts[i] ?? page.body.length) })) };
}
