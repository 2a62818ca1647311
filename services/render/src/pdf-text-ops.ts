// Glyph runs straight from the operator list, the way pdfjs's canvas places glyphs (showText),
// so a page is parsed once instead of twice (getOperatorList plus getTextContent).
import type { GlyphRun } from '@paperline/contracts';
import { OPS, Util } from './pdfjs.js';
import { baseFontName, boldByName, italicByName, plainText, round2 as round } from './font-style.js';
import { apply, type Matrix } from './page-geometry.js';

/** A loaded font as pdfjs exports it to the main thread (commonObjs). */
export interface FontInfo {
  name?: string;
  bold?: boolean;
  italic?: boolean;
  black?: boolean;
  ascent?: number;
  descent?: number;
  fontMatrix?: number[];
  vertical?: boolean;
}

interface Glyph {
  unicode: string;
  width: number;
  isSpace: boolean;
}

interface TextState {
  font: FontInfo | undefined;
  style: { font: string; bold: boolean; italic: boolean };
  fontSize: number;
  fontDirection: number;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
  textMatrix: Matrix;
  x: number;
  y: number;
  lineX: number;
  lineY: number;
}

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const DEFAULT_ASCENT = 0.8;
const DEFAULT_DESCENT = -0.2;
/** A TJ gap of at least this share of the font size is a word space (pdfjs uses the same). */
const SPACE_GAP = 0.102;
/** A TJ gap wider than this share of the font size starts a new run (columns, tab stops). */
const RUN_BREAK_GAP = 0.6;
/** A baseline turned by more than this many degrees is rotated text. */
const ROTATED_DEGREES = 2;

export class TextCollector {
  readonly runs: GlyphRun[] = [];
  private state: TextState = {
    font: undefined,
    style: { font: 'unknown', bold: false, italic: false },
    fontSize: 0,
    fontDirection: 1,
    charSpacing: 0,
    wordSpacing: 0,
    hScale: 1,
    leading: 0,
    rise: 0,
    textMatrix: IDENTITY,
    x: 0,
    y: 0,
    lineX: 0,
    lineY: 0,
  };
  private readonly stack: TextState[] = [];
  private readonly styles = new Map<string, TextState['style']>();

  constructor(private readonly fontOf: (loadedName: string) => FontInfo | undefined) {}

  save(): void {
    this.stack.push({ ...this.state });
  }

  restore(): void {
    this.state = this.stack.pop() ?? this.state;
  }

  /** Handles a text operator; false when `fn` is not one. */
  handle(fn: number, args: unknown[] | null, ctm: Matrix): boolean {
    const s = this.state;
    switch (fn) {
      case OPS.beginText:
        s.textMatrix = IDENTITY;
        s.x = s.lineX = s.y = s.lineY = 0;
        return true;
      case OPS.setFont: {
        const [name, size] = args as [string, number];
        s.font = this.fontOf(name);
        s.style = this.styleOf(name, s.font);
        s.fontDirection = size < 0 ? -1 : 1;
        s.fontSize = Math.abs(size);
        return true;
      }
      case OPS.setCharSpacing:
        s.charSpacing = args![0] as number;
        return true;
      case OPS.setWordSpacing:
        s.wordSpacing = args![0] as number;
        return true;
      case OPS.setHScale:
        s.hScale = (args![0] as number) / 100;
        return true;
      case OPS.setLeading:
        s.leading = -(args![0] as number);
        return true;
      case OPS.setTextRise:
        s.rise = args![0] as number;
        return true;
      case OPS.setTextMatrix:
        s.textMatrix = Array.from(args![0] as ArrayLike<number>) as Matrix;
        s.x = s.lineX = s.y = s.lineY = 0;
        return true;
      case OPS.moveText:
        this.moveText(args![0] as number, args![1] as number);
        return true;
      case OPS.setLeadingMoveText:
        s.leading = args![1] as number;
        this.moveText(args![0] as number, args![1] as number);
        return true;
      case OPS.nextLine:
        this.moveText(0, s.leading);
        return true;
      // pdfjs turns TJ, ' and " into showText (with nextLine and spacing ops) before we see them
      case OPS.showText:
        this.showText(args![0] as Array<Glyph | number>, ctm);
        return true;
      default:
        return false;
    }
  }

  private moveText(x: number, y: number): void {
    const s = this.state;
    s.x = s.lineX += x;
    s.y = s.lineY += y;
  }

  private styleOf(name: string, font: FontInfo | undefined): TextState['style'] {
    let style = this.styles.get(name);
    if (!style) {
      const fontName = baseFontName(font?.name ?? 'unknown');
      style = { font: fontName, bold: Boolean(font?.bold || font?.black) || boldByName(fontName), italic: Boolean(font?.italic) || italicByName(fontName) };
      this.styles.set(name, style);
    }
    return style;
  }

  private showText(glyphs: Array<Glyph | number>, ctm: Matrix): void {
    const s = this.state;
    if (!s.font || s.fontSize === 0) return;
    const fontMatrix = s.font.fontMatrix ?? [0.001];
    const advanceScale = s.fontSize * (fontMatrix[0] ?? 0.001);
    // text space -> raster pixels: ctm x textMatrix x translate(x, y + rise) x scale(hScale, 1)
    const m = Util.transform(Util.transform(ctm, s.textMatrix), [s.hScale * s.fontDirection, 0, 0, 1, s.x, s.y + s.rise]) as Matrix;
    const ascent = s.font.ascent && s.font.ascent > 0 ? s.font.ascent : DEFAULT_ASCENT;
    const descent = s.font.descent && s.font.descent < 0 ? s.font.descent : DEFAULT_DESCENT;
    let x = 0;
    let text = '';
    let start = 0;
    const flush = (end: number) => {
      if (text.trim() !== '') this.addRun(text, start, end, m, ascent, descent);
      text = '';
    };
    for (const glyph of glyphs) {
      if (typeof glyph === 'number') {
        const shift = (-glyph * s.fontSize) / 1000;
        if (shift > RUN_BREAK_GAP * s.fontSize) {
          flush(x);
          start = x + shift;
        } else if (shift >= SPACE_GAP * s.fontSize && text !== '' && !text.endsWith(' ')) {
          text += ' ';
        }
        x += shift;
        continue;
      }
      if (text === '') start = x;
      text += glyph.unicode;
      x += glyph.width * advanceScale + ((glyph.isSpace ? s.wordSpacing : 0) + s.charSpacing) * s.fontDirection;
    }
    flush(x);
    s.x += x * s.hScale;
  }

  private addRun(raw: string, x0: number, x1: number, m: Matrix, ascent: number, descent: number): void {
    const s = this.state;
    const size = s.fontSize;
    const corners = [
      apply(m, x0, descent * size),
      apply(m, x0, ascent * size),
      apply(m, x1, descent * size),
      apply(m, x1, ascent * size),
    ];
    const xs = corners.map((p) => p[0]);
    const ys = corners.map((p) => p[1]);
    // the font size in pixels: how long one em of the text's vertical axis comes out
    const pixelSize = Math.hypot(m[2], m[3]) * size;
    // raster y grows downwards: a baseline going up the page has a negative y component
    const angle = Math.round((Math.atan2(-m[1], m[0]) * 180) / Math.PI);
    this.runs.push({
      text: plainText(raw),
      bbox: [round(Math.min(...xs)), round(Math.min(...ys)), round(Math.max(...xs)), round(Math.max(...ys))],
      size: round(pixelSize),
      ...s.style,
      ...(Math.abs(angle) > ROTATED_DEGREES ? { angle } : {}),
    });
  }
}
