// A PDF opened with PDFium (WebAssembly): per page the text layer from PDFium's text page (chars
// with their loose boxes, grouped into runs per text object), rulings and image rectangles from
// the page objects, and a raster only when the page needs one. A page with text and pictures gets
// its pictures alone (every other object switched off for that render), for figure crops.
import { ASSET_PNG_COMPRESSION, PaperlineError, SCHEMA_VERSION, type BBox, type GlyphRun, type PageTextLayer } from '@paperline/contracts';
import { baseFontName, boldByName, italicByName, plainText, round2 } from './font-style.js';
import { DEFAULT_GRAPHICS_OPTIONS, RulingCollector, apply, clipBox, deviceBox, multiply, type Matrix, type PageSize } from './page-geometry.js';
import { BITMAP_BGRA, PageObjectTypes, PdfiumErrors, RENDER_FLAGS, Scratch, SegmentTypes, pdfium, type PdfiumApi } from './pdfium.js';
import { pagePng } from './page-png.js';
import type { OpenedDocument, RenderedPage, RenderLimits } from './types.js';

export interface PdfiumOpenOptions {
  limits: RenderLimits;
  dpi: number;
  alwaysRaster: boolean;
  minTextChars: number;
}

/** A gap in a text object wider than this share of the font size starts a new run (columns, tab stops), as in the pdf.js path. */
const RUN_BREAK_GAP = 0.6;
/** A gap between glyphs of at least this share of the font size is a word space (as pdf.js). */
const SPACE_GAP = 0.102;
/** Glyphs of one object whose baselines lie this share of the font size apart are on two lines. */
const LINE_BREAK_SHIFT = 0.5;
/** A baseline turned by more than this many degrees is rotated text. */
const ROTATED_DEGREES = 2;
const SOFT_HYPHEN = 0xad;
/** The most a run's box reaches above and below its baseline (shares of the font size). */
const MAX_ASCENT = 0.9;
const MAX_DESCENT = 0.22;
/** A glyph whose box rises less than this share of its font's tallest is boxed by its ink. */
const TIGHT_SHARE = 0.95;
/** The widest side bearing (share of the font size) a tight box is stretched across. */
const SIDE_BEARING = 0.15;
/** How far (share of the font size) a loose box may start from the pen position. */
const PEN_SLACK = 0.01;
/** Hebrew, Arabic (and the scripts between), and their presentation forms. */
const RTL_CHAR = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;
/** PDFium's font flags (PDF FontDescriptor /Flags): Italic and ForceBold. */
const FLAG_ITALIC = 1 << 6;
const FLAG_FORCE_BOLD = 1 << 18;
const FONT_NAME_BYTES = 256;
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

export async function openPdfium(bytes: Uint8Array, options: PdfiumOpenOptions): Promise<OpenedDocument> {
  const api = await pdfium();
  // PDFium reads the file from this copy for as long as the document is open
  const data = api._malloc(Math.max(1, bytes.length));
  api.HEAPU8.set(bytes, data);
  const doc = api._FPDF_LoadMemDocument(data, bytes.length, 0);
  if (!doc) {
    const code = api._FPDF_GetLastError();
    api._free(data);
    if (code === PdfiumErrors.PASSWORD || code === PdfiumErrors.SECURITY) throw new PaperlineError('ENCRYPTED_PDF', 'the PDF needs a password');
    throw new PaperlineError('CORRUPT_PDF', `PDFium cannot read it (error ${code})`);
  }
  const pageCount = api._FPDF_GetPageCount(doc);
  if (pageCount > options.limits.maxPages) {
    api._FPDF_CloseDocument(doc);
    api._free(data);
    throw new PaperlineError('TOO_MANY_PAGES', `${pageCount} pages, the limit is ${options.limits.maxPages}`);
  }
  return new PdfiumDocument(api, doc, data, pageCount, options);
}

interface RunStyle {
  font: string;
  bold: boolean;
  italic: boolean;
  /** Font size in page units (points), its text matrix applied. */
  em: number;
  /** The baseline's direction in page space, a unit vector. */
  baseline: [number, number];
  /** How far a glyph leans along the baseline per unit of height (a synthetic oblique's skew), 0 upright. */
  shear: number;
  /** How far the font's glyphs of this size reach above and below the baseline on the page (shared by its runs). */
  extent: Extent;
}

interface Extent {
  above: number;
  below: number;
}

interface FontFace {
  font: string;
  bold: boolean;
  italic: boolean;
  /** Extents per font size: the tallest glyph boxes seen on the page. */
  extents: Map<number, Extent>;
}

/** A character of a text object, placed along and across its baseline (page units). */
interface PlacedGlyph {
  char: string;
  em: number;
  along: number;
  /** Where the glyph's origin (its pen position) lies along the baseline. */
  origin: number;
  from: number;
  to: number;
  /** The baseline's offset across (the char's origin) and the box's extent either side of it. */
  baselineAt: number;
  above: number;
  below: number;
}

interface ObjectGlyphs {
  style: RunStyle;
  glyphs: PlacedGlyph[];
  /** Holds right-to-left letters, which PDFium keeps in logical order. */
  rtl: boolean;
}

interface PageObjects {
  painted: boolean;
  images: BBox[];
  rulings: RulingCollector['rulings'];
  /** Every object that is not an image (or a form holding one): switched off to paint the pictures alone. */
  nonImages: number[];
  /** Text objects in content-stream order (into forms), the order pdf.js meets them in. */
  texts: number[];
}

class PdfiumDocument implements OpenedDocument {
  readonly format = 'pdf' as const;
  readonly kind = 'pdf' as const;
  private closed = false;

  constructor(
    private readonly api: PdfiumApi,
    private readonly doc: number,
    private readonly data: number,
    readonly pageCount: number,
    private readonly options: PdfiumOpenOptions,
  ) {}

  async *pages(pageNumbers: readonly number[]): AsyncIterable<RenderedPage> {
    for (const n of pageNumbers) {
      if (this.closed) throw new PaperlineError('SHUTTING_DOWN', 'the document was closed');
      const page = this.api._FPDF_LoadPage(this.doc, n - 1);
      if (!page) throw new PaperlineError('CORRUPT_PDF', `page ${n} cannot be read (error ${this.api._FPDF_GetLastError()})`);
      try {
        yield await this.renderPage(page, n);
      } finally {
        this.api._FPDF_ClosePage(page);
      }
    }
  }

  private async renderPage(page: number, pageNumber: number): Promise<RenderedPage> {
    const { api } = this;
    const natural = { width: api._FPDF_GetPageWidthF(page), height: api._FPDF_GetPageHeightF(page) };
    const fit = Math.sqrt(this.options.limits.maxPixels / Math.max(1, natural.width * natural.height)) * 72;
    const dpi = Math.max(1, Math.min(this.options.dpi, Math.floor(fit)));
    const scale = dpi / 72;
    const size: PageSize = { width: Math.max(1, Math.floor(natural.width * scale)), height: Math.max(1, Math.floor(natural.height * scale)) };
    const toDevice = this.pageToDevice(page, natural, scale);
    const objects = this.pageObjects(page, toDevice, size);
    if (!objects.painted) return { page: pageNumber, ...size, dpi, textLayer: null, raster: null, blank: true };
    const runs = this.textRuns(page, toDevice, objects.texts);
    const layer: PageTextLayer = { v: SCHEMA_VERSION, runs, rulings: objects.rulings, images: objects.images };
    const chars = runs.reduce((n, run) => n + run.text.replace(/\s+/g, '').length, 0);
    const hasText = chars >= this.options.minTextChars;
    const rendered = { page: pageNumber, ...size, dpi, textLayer: hasText ? layer : null };
    if (this.options.alwaysRaster || !hasText) return { ...rendered, raster: await this.rasterise(page, size) };
    if (objects.images.length === 0) return { ...rendered, raster: null };
    // figure crops need the pictures only: paint them without the text and vector art around them,
    // and only the rectangle they cover (a full page of white costs as much to encode and decode);
    // a page's one figure often covers all of it (7 of the corpus's 10), and layout keeps it as
    // that figure's image as it is
    const box = pictureBounds(objects.images);
    return { ...rendered, raster: await this.rasterise(page, size, { hidden: objects.nonImages, box, compressionLevel: ASSET_PNG_COMPRESSION }), rasterContent: 'images', rasterBox: box };
  }

  /**
   * The page-to-raster transform (PDFium applies the page's /Rotate and crop box). FPDF_PageToDevice
   * maps single points to integer pixels, so the matrix is read off three points on a device 64x
   * larger than the raster, then scaled down.
   */
  private pageToDevice(page: number, natural: PageSize, scale: number): Matrix {
    const { api } = this;
    const oversample = 64;
    const w = Math.round(natural.width * oversample);
    const h = Math.round(natural.height * oversample);
    const out = new Scratch(api, 8);
    const at = (x: number, y: number): [number, number] => {
      api._FPDF_PageToDevice(page, 0, 0, w, h, 0, x, y, out.pointer, out.pointer + 4);
      return [out.i32(0) / oversample, out.i32(1) / oversample];
    };
    try {
      const span = 1000;
      const [ox, oy] = at(0, 0);
      const [xx, xy] = at(span, 0);
      const [yx, yy] = at(0, span);
      return [((xx - ox) / span) * scale, ((xy - oy) / span) * scale, ((yx - ox) / span) * scale, ((yy - oy) / span) * scale, ox * scale, oy * scale];
    } finally {
      out.free();
    }
  }

  /**
   * Glyph runs the way the pdf.js path cuts them, so layout reads both engines alike: one run per
   * text object (one Tj/TJ), split at a wide gap or a line break inside it, word spaces where the
   * gap between glyphs is one, `angle` for a turned baseline, and the glyphs in visual (left to
   * right) order. PDFium's text page holds right-to-left text in logical order (it runs bidi
   * itself) while pdf.js and layout's bidi step work on visual order, so such an object's glyphs
   * are put back in the order they stand on the baseline.
   */
  private textRuns(page: number, toDevice: Matrix, texts: readonly number[]): GlyphRun[] {
    const { api } = this;
    const textPage = api._FPDFText_LoadPage(page);
    if (!textPage) return [];
    const scratch = new Scratch(api, FONT_NAME_BYTES + 32);
    const rect = scratch.pointer + FONT_NAME_BYTES;
    const styles = new Map<number, RunStyle>();
    const objects = new Map<number, ObjectGlyphs>();
    const faces = new Map<number, FontFace>();
    try {
      const count = api._FPDFText_CountChars(textPage);
      for (let i = 0; i < count; i++) {
        // PDFium's own spaces and line breaks are its guesses: gaps are measured below instead
        if (api._FPDFText_IsGenerated(textPage, i)) continue;
        const unicode = api._FPDFText_GetUnicode(textPage, i);
        const owner = api._FPDFText_GetTextObject(textPage, i);
        let object = objects.get(owner);
        if (!object) {
          object = { style: styles.get(owner) ?? this.runStyle(textPage, i, scratch, rect, styles, faces, owner), glyphs: [], rtl: false };
          objects.set(owner, object);
        }
        if (!api._FPDFText_GetLooseCharBox(textPage, i, rect)) continue;
        const left = scratch.f32(FONT_NAME_BYTES / 4);
        const top = scratch.f32(FONT_NAME_BYTES / 4 + 1);
        const right = scratch.f32(FONT_NAME_BYTES / 4 + 2);
        const bottom = scratch.f32(FONT_NAME_BYTES / 4 + 3);
        const char = unicode === 0x02 ? '-' : unicode === 0 ? '' : String.fromCodePoint(unicode);
        // a soft hyphen inside a line is an invisible break opportunity (pdf.js shows it no glyph)
        if (char === '' || (unicode === SOFT_HYPHEN && right <= left)) continue;
        if (!object.rtl && RTL_CHAR.test(char)) object.rtl = true;
        const [ux, uy] = object.style.baseline;
        api._FPDFText_GetCharOrigin(textPage, i, rect, rect + 8);
        const ox = scratch.f64(FONT_NAME_BYTES / 8);
        const oy = scratch.f64(FONT_NAME_BYTES / 8 + 1);
        const along = ((left + right) / 2) * ux + ((top + bottom) / 2) * uy;
        const baselineAt = oy * ux - ox * uy;
        // the box's extent across the baseline: its corners projected on (-uy, ux)
        const acrossTop = Math.max(top * ux, bottom * ux) + Math.max(-left * uy, -right * uy);
        const acrossBottom = Math.min(top * ux, bottom * ux) + Math.min(-left * uy, -right * uy);
        // a skewed glyph's box bounds its slanted cell, wider by the lean over its height: without it
        // the word spaces of an oblique line (Chromium slants Arabic and Hebrew faces) close up
        const lean = Math.abs(object.style.shear) * (acrossTop - acrossBottom);
        const half = Math.max(0, (Math.abs((right - left) * ux) + Math.abs((top - bottom) * uy) - lean) / 2);
        const glyph = { char, em: object.style.em, along, origin: ox * ux + oy * uy, from: along - half, to: along + half, baselineAt, above: acrossTop - baselineAt, below: baselineAt - acrossBottom };
        object.glyphs.push(glyph);
        // PDFium gives some glyphs their tight box instead of the font's ascent and descent (so
        // Arabic letters of one line get boxes of all heights): a line's boxes use the tallest
        // extents seen for the font on the page, as pdf.js boxes every glyph from the font's.
        const { extent } = object.style;
        extent.above = Math.max(extent.above, glyph.above);
        extent.below = Math.max(extent.below, glyph.below);
      }
      this.closeTightGaps(objects);
      const runs: GlyphRun[] = [];
      // runs in content order, as pdf.js gives them: PDFium's text page holds RTL lines in logical order
      const ordered = new Set(texts.flatMap((handle) => objects.get(handle) ?? []));
      for (const object of objects.values()) ordered.add(object);
      for (const object of ordered) this.objectRuns(object, toDevice, runs);
      return runs;
    } finally {
      scratch.free();
      api._FPDFText_ClosePage(textPage);
    }
  }

  /**
   * A tight box spans the glyph's ink, inside its advance, so the gap to the next glyph reads as
   * a word space (Arabic letters, some CJK ones). Such a box is stretched back to the glyph's pen
   * position and on to the next glyph's on its baseline, where those lie within a side bearing.
   */
  private closeTightGaps(objects: Map<number, ObjectGlyphs>): void {
    const lines = new Map<number, PlacedGlyph[]>();
    const tight = new Set<PlacedGlyph>();
    for (const { style, glyphs } of objects.values()) {
      const { extent, baseline } = style;
      // one line: the same baseline direction (whole degrees) and offset (whole points)
      const direction = Math.round((Math.atan2(baseline[1], baseline[0]) * 180) / Math.PI) + 360;
      for (const glyph of glyphs) {
        // a loose box starts at the pen position; an ink box starts where the ink does
        if (glyph.above < TIGHT_SHARE * extent.above || Math.abs(glyph.from - glyph.origin) > PEN_SLACK * glyph.em) tight.add(glyph);
        const key = Math.round(glyph.baselineAt) * 1000 + direction;
        const line = lines.get(key);
        if (line) line.push(glyph);
        else lines.set(key, [glyph]);
      }
    }
    if (tight.size === 0) return;
    for (const line of lines.values()) {
      line.sort((a, b) => a.origin - b.origin);
      for (let i = 0; i < line.length; i++) {
        const glyph = line[i]!;
        if (!tight.has(glyph)) continue;
        const next = line[i + 1]?.origin;
        if (next !== undefined && next > glyph.to && next - glyph.to < SIDE_BEARING * glyph.em) glyph.to = next;
        if (glyph.origin < glyph.from && glyph.from - glyph.origin < SIDE_BEARING * glyph.em) glyph.from = glyph.origin;
      }
    }
  }

  private objectRuns({ style, glyphs, rtl }: ObjectGlyphs, toDevice: Matrix, runs: GlyphRun[]): void {
    const { extent } = style;
    if (rtl) glyphs.sort((a, b) => a.along - b.along);
    const [ux, uy] = style.baseline;
    const angle = Math.round((Math.atan2(-(ux * toDevice[1] + uy * toDevice[3]), ux * toDevice[0] + uy * toDevice[2]) * 180) / Math.PI);
    const size = round2(style.em * Math.hypot(toDevice[2], toDevice[3]));
    let text = '';
    let first: PlacedGlyph | undefined;
    let last: PlacedGlyph | undefined;
    let lo = Infinity;
    let hi = -Infinity;
    const flush = () => {
      if (first && text.trim() !== '') {
        // PDFium's extents come from the font descriptor, often the font's whole bbox: taller than
        // the ascent and descent pdf.js boxes with, so lines of a column would touch; capped near those
        const below = first.baselineAt - Math.min(MAX_DESCENT * style.em, extent.below);
        const above = first.baselineAt + Math.min(MAX_ASCENT * style.em, extent.above);
        // the run's rectangle in its baseline's frame, back to page space: along u, across (-uy, ux)
        const x0 = Math.min(lo * ux, hi * ux) + Math.min(-below * uy, -above * uy);
        const x1 = Math.max(lo * ux, hi * ux) + Math.max(-below * uy, -above * uy);
        const y0 = Math.min(lo * uy, hi * uy) + Math.min(below * ux, above * ux);
        const y1 = Math.max(lo * uy, hi * uy) + Math.max(below * ux, above * ux);
        const device = deviceBox(toDevice, x0, y0, x1, y1);
        runs.push({
          text: plainText(text),
          bbox: [round2(device[0]), round2(device[1]), round2(device[2]), round2(device[3])],
          font: style.font,
          size,
          bold: style.bold,
          italic: style.italic,
          ...(Math.abs(angle) > ROTATED_DEGREES ? { angle } : {}),
        });
      }
      text = '';
      first = last = undefined;
      lo = Infinity;
      hi = -Infinity;
    };
    for (const glyph of glyphs) {
      const blank = glyph.char.trim() === '';
      if (last && !blank) {
        const gap = glyph.from - last.to;
        if (gap > RUN_BREAK_GAP * style.em || Math.abs(glyph.baselineAt - last.baselineAt) > LINE_BREAK_SHIFT * style.em) flush();
        else if (gap >= SPACE_GAP * style.em && text !== '' && !text.endsWith(' ')) text += ' ';
      }
      if (blank && text.endsWith(' ')) continue;
      text += blank ? ' ' : glyph.char;
      // a space glyph's advance belongs to the run, as in pdf.js (layout reads the word gap off it)
      lo = Math.min(lo, glyph.from);
      hi = Math.max(hi, glyph.to);
      if (blank) continue;
      first ??= glyph;
      last = glyph;
    }
    flush();
  }

  private runStyle(textPage: number, index: number, scratch: Scratch, matrix: number, styles: Map<number, RunStyle>, faces: Map<number, FontFace>, owner: number): RunStyle {
    const { api } = this;
    const handle = api._FPDFTextObj_GetFont(owner);
    let face = faces.get(handle);
    if (!face) {
      const flagsAt = scratch.pointer + FONT_NAME_BYTES - 4;
      const length = api._FPDFText_GetFontInfo(textPage, index, scratch.pointer, FONT_NAME_BYTES - 4, flagsAt);
      const font = baseFontName(length > 0 ? scratch.utf8(0, Math.min(length, FONT_NAME_BYTES - 4)) : 'unknown');
      const flags = scratch.i32(FONT_NAME_BYTES / 4 - 1);
      face = {
        font,
        // not FPDFText_GetFontWeight: PDFium derives it from the descriptor's StemV, which puts
        // regular Noto faces at 704 and bold DejaVu ones at 455; flags and name, as pdf.js reads them
        bold: (flags & FLAG_FORCE_BOLD) !== 0 || boldByName(font),
        italic: (flags & FLAG_ITALIC) !== 0 || italicByName(font),
        extents: new Map(),
      };
      faces.set(handle, face);
    }
    // the char's matrix (text matrix and CTM) scales the Tf size: "/F1 1 Tf 18 0 0 18 Tm" is 18 pt
    const hasMatrix = api._FPDFText_GetMatrix(textPage, index, matrix);
    const a = hasMatrix ? scratch.f32(FONT_NAME_BYTES / 4) : 1;
    const b = hasMatrix ? scratch.f32(FONT_NAME_BYTES / 4 + 1) : 0;
    const c = hasMatrix ? scratch.f32(FONT_NAME_BYTES / 4 + 2) : 0;
    const d = hasMatrix ? scratch.f32(FONT_NAME_BYTES / 4 + 3) : 1;
    const norm = Math.hypot(a, b) || 1;
    const em = api._FPDFText_GetFontSize(textPage, index) * (Math.hypot(c, d) || 1);
    let extent = face.extents.get(em);
    if (!extent) {
      extent = { above: 0, below: 0 };
      face.extents.set(em, extent);
    }
    const shear = (a * c + b * d) / (a * d - b * c || 1);
    const style: RunStyle = { font: face.font, bold: face.bold, italic: face.italic, em, baseline: [a / norm, b / norm], shear, extent };
    styles.set(owner, style);
    return style;
  }

  /** Walks the page's objects (into forms): what is painted, image rectangles, rulings. */
  private pageObjects(page: number, toDevice: Matrix, size: PageSize): PageObjects {
    const { api } = this;
    const result: PageObjects = { painted: false, images: [], rulings: [], nonImages: [], texts: [] };
    const rulings = new RulingCollector(size);
    const scratch = new Scratch(api, 32);
    const matrixOf = (object: number): Matrix => {
      if (!api._FPDFPageObj_GetMatrix(object, scratch.pointer)) return IDENTITY;
      return [scratch.f32(0), scratch.f32(1), scratch.f32(2), scratch.f32(3), scratch.f32(4), scratch.f32(5)];
    };
    const boundsOf = (object: number, ctm: Matrix): BBox | undefined => {
      const p = scratch.pointer;
      if (!api._FPDFPageObj_GetBounds(object, p, p + 4, p + 8, p + 12)) return undefined;
      return deviceBox(ctm, scratch.f32(0), scratch.f32(1), scratch.f32(2), scratch.f32(3));
    };
    /** Returns whether the object is or holds an image. */
    const visit = (object: number, ctm: Matrix): boolean => {
      switch (api._FPDFPageObj_GetType(object)) {
        case PageObjectTypes.IMAGE: {
          result.painted = true;
          const box = boundsOf(object, ctm);
          if (!box) return true;
          const clipped = clipBox(box, size);
          const { minImageSide } = DEFAULT_GRAPHICS_OPTIONS;
          if (clipped[2] - clipped[0] >= minImageSide && clipped[3] - clipped[1] >= minImageSide) result.images.push(clipped);
          return true;
        }
        case PageObjectTypes.FORM: {
          // objects of a form are in its space: its matrix maps them onto the page
          const inner = multiply(ctm, matrixOf(object));
          const children: number[] = [];
          let holdsImage = false;
          for (let i = 0, n = api._FPDFFormObj_CountObjects(object); i < n; i++) {
            const child = api._FPDFFormObj_GetObject(object, i);
            if (visit(child, inner)) holdsImage = true;
            else children.push(child);
          }
          if (holdsImage) result.nonImages.push(...children);
          return holdsImage;
        }
        case PageObjectTypes.PATH:
          this.pathRulings(object, ctm, scratch, rulings, result, boundsOf);
          return false;
        case PageObjectTypes.TEXT:
          result.texts.push(object);
          result.painted = true;
          return false;
        case PageObjectTypes.SHADING:
          result.painted = true;
          return false;
        default:
          return false;
      }
    };
    try {
      for (let i = 0, n = api._FPDFPage_CountObjects(page); i < n; i++) {
        const object = api._FPDFPage_GetObject(page, i);
        if (!visit(object, toDevice)) result.nonImages.push(object);
      }
    } finally {
      scratch.free();
    }
    result.rulings = rulings.rulings;
    return result;
  }

  /** A stroked path's straight segments and a thin filled path's box, as rulings. */
  private pathRulings(object: number, ctm: Matrix, scratch: Scratch, rulings: RulingCollector, result: PageObjects, boundsOf: (object: number, ctm: Matrix) => BBox | undefined): void {
    const { api } = this;
    const p = scratch.pointer;
    if (!api._FPDFPath_GetDrawMode(object, p, p + 4)) return;
    const fillMode = scratch.i32(0);
    const stroke = scratch.i32(1) !== 0;
    if (fillMode === 0 && !stroke) return; // a clip or an unpainted path
    result.painted = true;
    if (!stroke) {
      const box = boundsOf(object, ctm);
      if (box) rulings.filled(box);
      return;
    }
    // segment points are in the path's space: its matrix, then the page's (and any form's)
    const m = multiply(ctm, this.objectMatrix(object, scratch));
    let start: [number, number] = [0, 0];
    let at: [number, number] = [0, 0];
    for (let i = 0, n = api._FPDFPath_CountSegments(object); i < n; i++) {
      const segment = api._FPDFPath_GetPathSegment(object, i);
      if (!segment || !api._FPDFPathSegment_GetPoint(segment, p, p + 4)) continue;
      const point = apply(m, scratch.f32(0), scratch.f32(1));
      const type = api._FPDFPathSegment_GetType(segment);
      if (type === SegmentTypes.MOVETO) start = point;
      else if (type === SegmentTypes.LINETO) rulings.segment(at[0], at[1], point[0], point[1]);
      at = point;
      if (type !== SegmentTypes.MOVETO && api._FPDFPathSegment_GetClose(segment)) {
        rulings.segment(at[0], at[1], start[0], start[1]);
        at = start;
      }
    }
  }

  private objectMatrix(object: number, scratch: Scratch): Matrix {
    if (!this.api._FPDFPageObj_GetMatrix(object, scratch.pointer)) return IDENTITY;
    return [scratch.f32(0), scratch.f32(1), scratch.f32(2), scratch.f32(3), scratch.f32(4), scratch.f32(5)];
  }

  /**
   * The page painted at its raster size on white, as PNG; `hidden` objects are switched off for it.
   * With `box`, only that rectangle of the raster is painted and encoded (the page is placed at
   * minus its corner on a bitmap of the box's size, which clips the rest).
   */
  private async rasterise(
    page: number,
    size: PageSize,
    { hidden = [], box = [0, 0, size.width, size.height], compressionLevel }: { hidden?: readonly number[]; box?: BBox; compressionLevel?: number } = {},
  ): Promise<Uint8Array> {
    const { api } = this;
    const width = box[2] - box[0];
    const height = box[3] - box[1];
    const bitmap = api._FPDFBitmap_CreateEx(width, height, BITMAP_BGRA, 0, 0);
    if (!bitmap) throw new PaperlineError('IMAGE_TOO_LARGE', `no memory for a ${width}x${height} raster`);
    let pixels: Buffer;
    try {
      for (const object of hidden) api._FPDFPageObj_SetIsActive(object, 0);
      api._FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xffffffff);
      api._FPDF_RenderPageBitmap(bitmap, page, -box[0], -box[1], size.width, size.height, 0, RENDER_FLAGS);
      const buffer = api._FPDFBitmap_GetBuffer(bitmap);
      const stride = api._FPDFBitmap_GetStride(bitmap);
      // a copy: the engine's heap is reused (and may move when it grows) while sharp encodes
      pixels = Buffer.from(api.HEAPU8.subarray(buffer, buffer + stride * height));
      if (stride !== width * 4) throw new PaperlineError('CORRUPT_PDF', `unexpected raster stride ${stride}`);
    } finally {
      for (const object of hidden) api._FPDFPageObj_SetIsActive(object, 1);
      api._FPDFBitmap_Destroy(bitmap);
    }
    return pagePng(pixels, width, height, compressionLevel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.api._FPDF_CloseDocument(this.doc);
    this.api._free(this.data);
  }
}

/** The whole pixels the pictures cover (`pageObjects` clips their boxes to the raster, each at least `minImageSide`). */
function pictureBounds(images: readonly BBox[]): BBox {
  return [
    Math.floor(Math.min(...images.map((b) => b[0]))),
    Math.floor(Math.min(...images.map((b) => b[1]))),
    Math.ceil(Math.max(...images.map((b) => b[2]))),
    Math.ceil(Math.max(...images.map((b) => b[3]))),
  ];
}
