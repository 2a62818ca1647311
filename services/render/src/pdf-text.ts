// Glyph runs from pdfjs text content, boxed in raster pixels, with the font's real name and style.
import type { GlyphRun } from '@paperline/contracts';
import { apply, type Matrix } from './pdf-graphics.js';

export interface TextItem {
  str: string;
  width: number;
  height: number;
  transform: number[];
  fontName: string;
}

export interface TextStyle {
  fontFamily?: string;
  ascent?: number;
  descent?: number;
}

/** What pdfjs tells about a loaded font (commonObjs), after the operator list was built. */
export interface FontInfo {
  name?: string;
  bold?: boolean;
  italic?: boolean;
  black?: boolean;
}

const DEFAULT_ASCENT = 0.8;
const DEFAULT_DESCENT = -0.2;
const BOLD_NAME = /bold|black|heavy|semibold|demibold|extrabold|ultrabold|medi(?:um)?$|[-,](?:bd|sb)$/i;
const ITALIC_NAME = /italic|ital$|oblique|[-,]it$|slant/i;

/** "ABCDEF+Times-Bold" -> "Times-Bold". */
export function baseFontName(name: string): string {
  return name.replace(/^[A-Z]{6}\+/, '');
}

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * One run per non-blank text item. The box spans the item's advance along its baseline and the
 * font's ascent and descent across it, transformed by `viewport` (PDF user space to raster px).
 */
export function textRuns(
  items: ReadonlyArray<TextItem | { type: string }>,
  styles: Readonly<Record<string, TextStyle>>,
  fontOf: (loadedName: string) => FontInfo | undefined,
  viewport: Matrix,
): GlyphRun[] {
  const runs: GlyphRun[] = [];
  const fonts = new Map<string, { font: string; bold: boolean; italic: boolean }>();
  const scale = Math.hypot(viewport[0], viewport[1]);
  for (const item of items) {
    if (!('str' in item) || item.str.trim() === '') continue;
    const [a, b, c, d, e, f] = item.transform as [number, number, number, number, number, number];
    const size = Math.hypot(c, d) || item.height;
    if (size <= 0) continue;
    const style = styles[item.fontName] ?? {};
    const ascent = style.ascent && style.ascent > 0 ? style.ascent : DEFAULT_ASCENT;
    const descent = style.descent && style.descent < 0 ? style.descent : DEFAULT_DESCENT;
    const along = Math.hypot(a, b) || 1;
    const [ux, uy] = [a / along, b / along];
    const [vx, vy] = [c / size, d / size];
    const corners = [
      [e + vx * size * descent, f + vy * size * descent],
      [e + vx * size * ascent, f + vy * size * ascent],
      [e + ux * item.width + vx * size * descent, f + uy * item.width + vy * size * descent],
      [e + ux * item.width + vx * size * ascent, f + uy * item.width + vy * size * ascent],
    ].map(([x, y]) => apply(viewport, x!, y!));
    const xs = corners.map((p) => p[0]);
    const ys = corners.map((p) => p[1]);
    let font = fonts.get(item.fontName);
    if (!font) {
      const info = fontOf(item.fontName);
      const name = baseFontName(info?.name ?? style.fontFamily ?? 'unknown');
      font = { font: name, bold: Boolean(info?.bold || info?.black) || BOLD_NAME.test(name), italic: Boolean(info?.italic) || ITALIC_NAME.test(name) };
      fonts.set(item.fontName, font);
    }
    runs.push({
      text: item.str,
      bbox: [round(Math.min(...xs)), round(Math.min(...ys)), round(Math.max(...xs)), round(Math.max(...ys))],
      size: round(size * scale),
      ...font,
    });
  }
  return runs;
}
