// The PDF standard security handler (ISO 32000-1, 7.6.3), RC4 revisions 2 (40-bit) and 3 (128-bit),
// written by hand so tests can produce encrypted PDFs without a PDF library.
import { createHash } from 'node:crypto';

const PADDING = Buffer.from(
  '28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a',
  'hex',
);

export interface EncryptionSpec {
  /** Password needed to open the file; empty opens without one (but the content is still encrypted). */
  userPassword: string;
  /** @default 'owner' */
  ownerPassword?: string;
  /** 40 (V1 R2) or 128 (V2 R3). @default 128 */
  keyBits?: 40 | 128;
}

export interface Encryption {
  /** The /Encrypt dictionary body. */
  dictionary: string;
  /** Encrypts a string or stream of object `num` (generation 0). */
  encrypt(num: number, data: Buffer): Buffer;
}

export function rc4(key: Buffer, data: Buffer): Buffer {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

function md5(...parts: Buffer[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function pad(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'latin1'), PADDING]).subarray(0, 32);
}

/** RC4 with the key, then (revision 3) 19 more passes with the key's bytes XORed with 1..19. */
function rc4Rounds(key: Buffer, data: Buffer, revision: number): Buffer {
  let out = rc4(key, data);
  if (revision >= 3) {
    for (let i = 1; i <= 19; i++) out = rc4(Buffer.from(key.map((b) => b ^ i)), out);
  }
  return out;
}

export function createEncryption(spec: EncryptionSpec, fileId: Buffer): Encryption {
  const keyBits = spec.keyBits ?? 128;
  const revision = keyBits === 40 ? 2 : 3;
  const n = keyBits / 8;
  // every permission bit granted; bits 7-8 and 13-32 must be 1
  const permissions = -4;

  // Algorithm 3: the owner entry
  let ownerKey = md5(pad(spec.ownerPassword ?? 'owner'));
  if (revision >= 3) for (let i = 0; i < 50; i++) ownerKey = md5(ownerKey);
  const owner = rc4Rounds(ownerKey.subarray(0, n), pad(spec.userPassword), revision);

  // Algorithm 2: the file key
  const p = Buffer.alloc(4);
  p.writeInt32LE(permissions);
  let key = md5(pad(spec.userPassword), owner, p, fileId);
  if (revision >= 3) for (let i = 0; i < 50; i++) key = md5(key.subarray(0, n));
  key = key.subarray(0, n);

  // Algorithms 4 and 5: the user entry
  const user =
    revision === 2
      ? rc4(key, PADDING)
      : Buffer.concat([rc4Rounds(key, md5(PADDING, fileId), revision), Buffer.alloc(16)]);

  const dictionary =
    `/Filter /Standard /V ${revision === 2 ? 1 : 2} /R ${revision} /Length ${keyBits} ` +
    `/O <${owner.toString('hex')}> /U <${user.toString('hex')}> /P ${permissions}`;

  return {
    dictionary,
    encrypt(num, data) {
      const objectKey = md5(key, Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, 0, 0]));
      return rc4(objectKey.subarray(0, Math.min(n + 5, 16)), data);
    },
  };
}
