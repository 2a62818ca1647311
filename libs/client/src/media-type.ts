import { MEDIA_TYPES } from '@paperline/contracts';

export type SupportedMediaType = (typeof MEDIA_TYPES)[number];

/** The PDF header may follow some junk; readers accept it within the first kilobyte. */
const PDF_HEADER_WINDOW = 1024;
const PDF_MAGIC = Buffer.from('%PDF-');

function startsWith(bytes: Uint8Array, magic: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + magic.length) return false;
  return magic.every((value, i) => bytes[offset + i] === value);
}

/**
 * The media type the content really has, from its magic bytes, or undefined when it is none of
 * the supported types. A shallow check: render still opens the file and rejects corrupt ones.
 */
export function sniffMediaType(bytes: Uint8Array): SupportedMediaType | undefined {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PDF_HEADER_WINDOW)).includes(PDF_MAGIC)) return 'application/pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return undefined;
}

/** Strips parameters and case: `Image/PNG; q=1` is `image/png`. */
export function normalizeMediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

export function isSupportedMediaType(value: string | undefined): value is SupportedMediaType {
  return (MEDIA_TYPES as readonly string[]).includes(value ?? '');
}
