import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^16 is about 4.8e28: collisions are negligible, and kv.create rejects one anyway. */
export const DOC_ID_LENGTH = 16;
/** The largest multiple of 62 below 256: bytes at or above it are dropped so every letter is equally likely. */
const UNBIASED_LIMIT = 248;

/** A URL-safe random document id (base62) that satisfies DocIdSchema. */
export function newDocId(length = DOC_ID_LENGTH): string {
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      id += ALPHABET[byte % ALPHABET.length];
      if (id.length === length) break;
    }
  }
  return id;
}
