// A small PDF writer for tests: pages with known text in the standard fonts, lines, rectangles and
// an embedded RGB image; plus broken variants (truncated, encrypted, too many pages).
// Coordinates are PDF points with a TOP-LEFT origin (y grows down), so tests read like the raster.
import { randomBytes } from 'node:crypto';
import { createEncryption, type EncryptionSpec } from './pdf-encrypt.js';

export const PDF_STANDARD_FONTS = [
  'Helvetica',
  'Helvetica-Bold',
  'Helvetica-Oblique',
  'Helvetica-BoldOblique',
  'Times-Roman',
  'Times-Bold',
  'Courier',
  // its built-in encoding: 'a' is alpha, 0xA3 is <=, 0xE5 is the summation sign (text is written as latin1 bytes)
  'Symbol',
] as const;
export type PdfStandardFont = (typeof PDF_STANDARD_FONTS)[number];

/** US Letter. */
export const DEFAULT_PDF_PAGE_SIZE = { width: 612, height: 792 } as const;
export const DEFAULT_PDF_FONT_SIZE = 11;

export interface PdfText {
  text: string;
  /** Left edge of the text, points. */
  x: number;
  /** Baseline, points from the top. */
  y: number;
  /** @default 11 */
  size?: number;
  /** @default 'Helvetica' */
  font?: PdfStandardFont;
}

export interface PdfLine {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** @default 1 */
  width?: number;
}

export interface PdfRect {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Filled (true) or stroked. @default false */
  fill?: boolean;
}

export interface PdfImage {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Pixel size of the embedded image. @default 32x24 */
  pixelWidth?: number;
  pixelHeight?: number;
  /** Its RGB bytes (pixelWidth x pixelHeight x 3, row-major), e.g. a scan. @default a generated gradient */
  pixels?: Uint8Array;
}

export interface PdfPageSpec {
  width?: number;
  height?: number;
  texts?: PdfText[];
  lines?: PdfLine[];
  rects?: PdfRect[];
  images?: PdfImage[];
}

export interface PdfBuildOptions {
  encryption?: EncryptionSpec;
}

/** Builds a PDF with one page per spec. */
export function buildPdf(pages: PdfPageSpec[], options: PdfBuildOptions = {}): Uint8Array {
  const fileId = randomBytes(16);
  const encryption = options.encryption ? createEncryption(options.encryption, fileId) : undefined;
  const objects: Array<(num: number) => Buffer> = [];
  const add = (body: (num: number) => Buffer): number => objects.push(body);
  const dict = (text: string) => () => Buffer.from(text, 'latin1');
  const stream = (header: string, data: Buffer) => (num: number) => {
    const payload = encryption ? encryption.encrypt(num, data) : data;
    return Buffer.concat([
      Buffer.from(`<< ${header} /Length ${payload.length} >>\nstream\n`, 'latin1'),
      payload,
      Buffer.from('\nendstream', 'latin1'),
    ]);
  };

  const catalog = add(dict('')); // filled below once the page tree number is known
  const pageTree = add(dict(''));
  const fontRefs = new Map<PdfStandardFont, number>();
  for (const font of PDF_STANDARD_FONTS) {
    const encoding = font === 'Symbol' ? '' : ' /Encoding /WinAnsiEncoding';
    fontRefs.set(font, add(dict(`<< /Type /Font /Subtype /Type1 /BaseFont /${font}${encoding} >>`)));
  }
  const fontResources = PDF_STANDARD_FONTS.map((f, i) => `/F${i + 1} ${fontRefs.get(f)} 0 R`).join(' ');

  const pageRefs: number[] = [];
  for (const spec of pages) {
    const width = spec.width ?? DEFAULT_PDF_PAGE_SIZE.width;
    const height = spec.height ?? DEFAULT_PDF_PAGE_SIZE.height;
    const imageRefs = (spec.images ?? []).map((image) => {
      const w = image.pixelWidth ?? 32;
      const h = image.pixelHeight ?? 24;
      if (image.pixels && image.pixels.length !== w * h * 3) throw new Error(`image pixels: ${image.pixels.length} bytes for ${w}x${h} RGB`);
      const pixels = image.pixels ? Buffer.from(image.pixels) : gradient(w, h);
      return add(stream(`/Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceRGB /BitsPerComponent 8`, pixels));
    });
    const content = add(stream('', pageContent(spec, height)));
    const xobjects = imageRefs.map((ref, i) => `/Im${i + 1} ${ref} 0 R`).join(' ');
    pageRefs.push(
      add(
        dict(
          `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 ${width} ${height}] /Contents ${content} 0 R ` +
            `/Resources << /Font << ${fontResources} >> /XObject << ${xobjects} >> >> >>`,
        ),
      ),
    );
  }
  objects[catalog - 1] = dict(`<< /Type /Catalog /Pages ${pageTree} 0 R >>`);
  objects[pageTree - 1] = dict(`<< /Type /Pages /Kids [${pageRefs.map((r) => `${r} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`);
  const encryptRef = encryption ? add(dict(`<< ${encryption.dictionary} >>`)) : undefined;

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const num = i + 1;
    offsets.push(offset);
    const chunk = Buffer.concat([Buffer.from(`${num} 0 obj\n`, 'latin1'), body(num), Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(chunk);
    offset += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  const id = fileId.toString('hex');
  const trailer =
    `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /ID [<${id}> <${id}>]` +
    `${encryptRef ? ` /Encrypt ${encryptRef} 0 R` : ''} >>\nstartxref\n${offset}\n%%EOF\n`;
  chunks.push(Buffer.from(xref + trailer, 'latin1'));
  return new Uint8Array(Buffer.concat(chunks));
}

function pageContent(spec: PdfPageSpec, height: number): Buffer {
  const ops: string[] = [];
  // strings inside a content stream are not encrypted on their own: the whole stream is
  const literal = (text: string) => `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  for (const text of spec.texts ?? []) {
    const font = PDF_STANDARD_FONTS.indexOf(text.font ?? 'Helvetica') + 1;
    ops.push(`BT /F${font} ${text.size ?? DEFAULT_PDF_FONT_SIZE} Tf ${text.x} ${height - text.y} Td ${literal(text.text)} Tj ET`);
  }
  for (const line of spec.lines ?? []) {
    ops.push(`${line.width ?? 1} w ${line.x0} ${height - line.y0} m ${line.x1} ${height - line.y1} l S`);
  }
  for (const rect of spec.rects ?? []) {
    ops.push(`${rect.x} ${height - rect.y - rect.h} ${rect.w} ${rect.h} re ${rect.fill ? 'f' : 'S'}`);
  }
  (spec.images ?? []).forEach((image, i) => {
    ops.push(`q ${image.w} 0 0 ${image.h} ${image.x} ${height - image.y - image.h} cm /Im${i + 1} Do Q`);
  });
  return Buffer.from(ops.join('\n'), 'latin1');
}

/** A colourful gradient, so a crop of it is visibly not blank. */
function gradient(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.round((255 * x) / Math.max(1, width - 1));
      pixels[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      pixels[i + 2] = 128;
    }
  }
  return pixels;
}

/** A page of `lines` lines of body text under a bold heading; page number in the heading. */
export function textPage(pageNumber: number, lines = 5): PdfPageSpec {
  const texts: PdfText[] = [{ text: `Heading of page ${pageNumber}`, x: 72, y: 90, size: 18, font: 'Helvetica-Bold' }];
  for (let i = 0; i < lines; i++) {
    texts.push({ text: `Body line ${i + 1} of page ${pageNumber} with some ordinary words.`, x: 72, y: 130 + i * 14, size: 11 });
  }
  return { texts };
}

/** A PDF of `count` simple text pages. */
export function multiPagePdf(count: number): Uint8Array {
  return buildPdf(Array.from({ length: count }, (_, i) => textPage(i + 1)));
}

/** A valid PDF cut off at `fraction` of its length (no xref, no trailer). */
export function truncatedPdf(fraction = 0.4): Uint8Array {
  const full = buildPdf([textPage(1), textPage(2)]);
  return full.subarray(0, Math.floor(full.length * fraction));
}

/** A PDF that needs a user password to open. */
export function encryptedPdf(keyBits: 40 | 128 = 128, userPassword = 'secret'): Uint8Array {
  return buildPdf([textPage(1)], { encryption: { userPassword, keyBits } });
}
