import { MEDIA_TYPES, type SupportedMediaType } from '@paperline/contracts';

export { sniffMediaType, type SupportedMediaType } from '@paperline/contracts';

/** Strips parameters and case: `Image/PNG; q=1` is `image/png`. */
export function normalizeMediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

export function isSupportedMediaType(value: string | undefined): value is SupportedMediaType {
  return (MEDIA_TYPES as readonly string[]).includes(value ?? '');
}
