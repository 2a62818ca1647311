// What a file really is, from its first bytes: names and declared media types are only hints.
import { PaperlineError, looksLikeText, sniffMediaType, type SupportedMediaType } from '@paperline/contracts';

export const SOURCE_FORMATS = ['pdf', 'png', 'jpeg', 'webp', 'tiff'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const FORMAT_OF: Record<SupportedMediaType, SourceFormat> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/tiff': 'tiff',
};

/**
 * The format of `bytes`, from magic numbers. A file that claims to be a PDF (by media type or
 * name) but is not one is a CORRUPT_PDF, so the user learns why; anything else unknown is an
 * UNSUPPORTED_MEDIA_TYPE.
 */
export function sniffFormat(bytes: Uint8Array, mediaType = '', fileName = ''): SourceFormat {
  if (bytes.length === 0) throw new PaperlineError('EMPTY_FILE');
  const sniffed = sniffMediaType(bytes);
  if (sniffed) return FORMAT_OF[sniffed];
  const what = looksLikeText(bytes) ? 'plain text' : 'an unknown binary format';
  if (mediaType === 'application/pdf' || /\.pdf$/i.test(fileName)) {
    throw new PaperlineError('CORRUPT_PDF', `${fileName || 'the file'} has no %PDF- header; its content looks like ${what}`);
  }
  throw new PaperlineError(
    'UNSUPPORTED_MEDIA_TYPE',
    `${fileName || 'the file'} (${mediaType || 'no media type'}) looks like ${what}; supported: PDF, PNG, JPEG, WebP, TIFF`,
  );
}
