// What a file really is, from its first bytes: names and declared media types are only hints.
import { PaperlineError } from '@paperline/contracts';

export const SOURCE_FORMATS = ['pdf', 'png', 'jpeg', 'webp', 'tiff'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** The PDF header may follow some junk; readers accept it within the first KiB. */
const PDF_HEADER_WINDOW = 1024;

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  return signature.every((b, i) => bytes[at + i] === b);
}

function findPdfHeader(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length - 5, PDF_HEADER_WINDOW);
  for (let i = 0; i <= end; i++) {
    if (bytes[i] === 0x25 && startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d], i)) return true;
  }
  return false;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 512);
  let printable = 0;
  for (const b of sample) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc0) printable++;
  return printable / Math.max(1, sample.length) > 0.95;
}

/**
 * The format of `bytes`, from magic numbers. A file that claims to be a PDF (by media type or
 * name) but is not one is a CORRUPT_PDF, so the user learns why; anything else unknown is an
 * UNSUPPORTED_MEDIA_TYPE.
 */
export function sniffFormat(bytes: Uint8Array, mediaType = '', fileName = ''): SourceFormat {
  if (bytes.length === 0) throw new PaperlineError('EMPTY_FILE');
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (findPdfHeader(bytes)) return 'pdf';
  const what = looksLikeText(bytes) ? 'plain text' : 'an unknown binary format';
  if (mediaType === 'application/pdf' || /\.pdf$/i.test(fileName)) {
    throw new PaperlineError('CORRUPT_PDF', `${fileName || 'the file'} has no %PDF- header; its content looks like ${what}`);
  }
  throw new PaperlineError(
    'UNSUPPORTED_MEDIA_TYPE',
    `${fileName || 'the file'} (${mediaType || 'no media type'}) looks like ${what}; supported: PDF, PNG, JPEG, WebP, TIFF`,
  );
}
