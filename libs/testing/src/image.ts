// Image fixtures: pages with known text rendered by sharp (SVG text through librsvg and fontconfig,
// DejaVu Sans on our machines), in PNG, JPEG, WebP and (multi-page) TIFF; and a PNG whose header
// claims a huge size, built without allocating its pixels.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const DEFAULT_IMAGE_FONT = 'DejaVu Sans';

export interface TextImageOptions {
  /** @default 800 */
  width?: number;
  /** @default 600 */
  height?: number;
  /** Pixel size of the text. @default 32 */
  fontSize?: number;
  /** @default 'DejaVu Sans' */
  fontFamily?: string;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff';

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** SVG of black text lines on white, one line per entry, starting near the top left. */
export function textSvg(lines: string[], options: TextImageOptions = {}): Buffer {
  const width = options.width ?? 800;
  const height = options.height ?? 600;
  const size = options.fontSize ?? 32;
  const family = options.fontFamily ?? DEFAULT_IMAGE_FONT;
  const texts = lines
    .map((line, i) => `<text x="${size}" y="${size * 2 + i * size * 1.5}" font-family="${family}" font-size="${size}" fill="black">${escapeXml(line)}</text>`)
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${texts}</svg>`,
  );
}

/** An image of the given text lines in the given format. */
export async function textImage(lines: string[], format: ImageFormat = 'png', options: TextImageOptions = {}): Promise<Uint8Array> {
  const image = sharp(textSvg(lines, options)).flatten({ background: '#ffffff' });
  return new Uint8Array(await image.toFormat(format).toBuffer());
}

/** A multi-page TIFF, one page per entry of `pages` (each a list of text lines). */
export async function multiPageTiff(pages: string[][], options: TextImageOptions = {}): Promise<Uint8Array> {
  const frames = await Promise.all(pages.map((lines) => sharp(textSvg(lines, options)).flatten({ background: '#ffffff' }).png().toBuffer()));
  return new Uint8Array(await sharp(frames, { join: { animated: true } }).tiff().toBuffer());
}

/** A JPEG with an EXIF orientation tag (6: the viewer turns it 90 degrees clockwise). */
export async function rotatedJpeg(lines: string[], orientation = 6, options: TextImageOptions = {}): Promise<Uint8Array> {
  return new Uint8Array(await sharp(textSvg(lines, options)).flatten({ background: '#ffffff' }).jpeg().withMetadata({ orientation }).toBuffer());
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A PNG whose header says `width` x `height` (default 30000 x 30000, 900 megapixels), with a tiny
 * IDAT: a decoder that trusts the header allocates gigabytes; a careful one refuses it first.
 */
export function hugePngHeader(width = 30000, height = 30000): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

export interface TableImageOptions {
  /** @default 40 */
  fontSize?: number;
  /** Width of a column, px. @default 320 */
  columnWidth?: number;
  /** Draw the grid's rules (a ruled scan) or none (columns of aligned text). @default true */
  ruled?: boolean;
  /** Text lines above the table. @default ['Results of the trial'] */
  above?: string[];
}

/** A scanned-looking page: text above a table of `rows`, each cell's text at the left of its column. */
export async function tableImage(rows: readonly (readonly string[])[], options: TableImageOptions = {}): Promise<Uint8Array> {
  const size = options.fontSize ?? 40;
  const column = options.columnWidth ?? 320;
  const rowHeight = Math.round(size * 1.8);
  const above = options.above ?? ['Results of the trial'];
  const columns = Math.max(...rows.map((r) => r.length));
  const left = size;
  const top = size + above.length * size * 1.6;
  const width = left * 2 + columns * column;
  const height = Math.ceil(top + rows.length * rowHeight + size * 2);
  const text = (t: string, x: number, y: number) => `<text x="${x}" y="${y}" font-family="${DEFAULT_IMAGE_FONT}" font-size="${size}" fill="black">${escapeXml(t)}</text>`;
  const parts = above.map((line, i) => text(line, left, size * 1.5 + i * size * 1.6));
  rows.forEach((row, r) => row.forEach((cell, c) => parts.push(text(cell, left + c * column + size / 2, top + r * rowHeight + size * 1.3))));
  if (options.ruled ?? true) {
    for (let r = 0; r <= rows.length; r++) parts.push(`<rect x="${left}" y="${top + r * rowHeight}" width="${columns * column}" height="2" fill="black"/>`);
    for (let c = 0; c <= columns; c++) parts.push(`<rect x="${left + c * column}" y="${top}" width="2" height="${rows.length * rowHeight}" fill="black"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
