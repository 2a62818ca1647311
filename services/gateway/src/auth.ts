// Bearer API keys. Keys are kept only as SHA-256 digests and a request's token is compared with
// every one of them in constant time (timingSafeEqual on equal-length digests, no early exit),
// so neither the answer's timing nor a log line gives a key away. A key's id (its name, or a
// digest prefix) is what the job record stores as the document's owner.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { OwnerSchema } from '@paperline/contracts';
import { GatewayError } from './errors.js';

export interface ApiKey {
  /** Stored as the owner of what the key submits; never the key itself. */
  readonly id: string;
  readonly digest: Buffer;
}

/** Who made a request: the key's id, or nobody when the gateway runs open. */
export interface Principal {
  readonly keyId: string | undefined;
}

/** Shortest key accepted: a guessable key is no key. */
export const MIN_API_KEY_LENGTH = 16;

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Parses keys written as `name:key` or just `key` (one per line in a file, or comma-separated in
 * an environment variable); `#` starts a comment line. A key without a name gets the id
 * `key-<first 12 hex digits of its SHA-256>`.
 */
export function parseApiKeys(text: string, source: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const [index, raw] of text.split(/[\n,]/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const token = colon >= 0 ? line.slice(colon + 1).trim() : line;
    const digest = digestOf(token);
    const id = colon >= 0 ? line.slice(0, colon).trim() : `key-${digest.toString('hex').slice(0, 12)}`;
    // the message names the entry, never its value
    if (token.length < MIN_API_KEY_LENGTH) throw new GatewayError('INVALID_CONFIG', `API key ${index + 1} of ${source} is shorter than ${MIN_API_KEY_LENGTH} characters`);
    if (!OwnerSchema.safeParse(id).success) throw new GatewayError('INVALID_CONFIG', `API key ${index + 1} of ${source} has a name that is not 1-128 characters of [A-Za-z0-9_.:-]`);
    keys.push({ id, digest });
  }
  const ids = keys.map((k) => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new GatewayError('INVALID_CONFIG', `API key name "${repeated}" is used twice in ${source}`);
  return keys;
}

export interface AuthSettings {
  /** Keys as `name:key` or `key`, comma-separated (PL_API_KEYS). */
  apiKeys: string;
  /** A file of keys, one per line (PL_API_KEYS_FILE): a mounted Secret. */
  apiKeysFile: string;
  /** Run without keys on a non-loopback address (PL_HTTP_ALLOW_UNAUTHENTICATED). */
  allowUnauthenticated: boolean;
}

export function loadApiKeys(settings: Pick<AuthSettings, 'apiKeys' | 'apiKeysFile'>): ApiKey[] {
  const keys = settings.apiKeys ? parseApiKeys(settings.apiKeys, 'PL_API_KEYS') : [];
  if (settings.apiKeysFile) {
    let text: string;
    try {
      text = readFileSync(settings.apiKeysFile, 'utf8');
    } catch (error) {
      throw new GatewayError('INVALID_CONFIG', `cannot read the API key file ${settings.apiKeysFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    keys.push(...parseApiKeys(text, settings.apiKeysFile));
  }
  return keys;
}

/** Whether an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * The keys a gateway listening on `host` requires, or `false` for an open gateway. Open is the
 * default only on loopback; anywhere else it takes allowUnauthenticated, so a gateway never
 * starts open on a public address by mistake.
 */
export function resolveAuth(settings: AuthSettings, host: string): ApiKey[] | false {
  const keys = loadApiKeys(settings);
  if (keys.length > 0) return keys;
  if (isLoopback(host) || settings.allowUnauthenticated) return false;
  throw new GatewayError(
    'INVALID_CONFIG',
    `the gateway listens on ${host} with no API key: set PL_API_KEYS or PL_API_KEYS_FILE, listen on 127.0.0.1, or set PL_HTTP_ALLOW_UNAUTHENTICATED=true to run it open`,
  );
}

/** Checks `Authorization: Bearer <key>` against every key; the key's id, or UNAUTHORIZED. */
export function authenticate(keys: readonly ApiKey[], authorization: string | undefined): string {
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new GatewayError('UNAUTHORIZED', 'send Authorization: Bearer <API key>');
  const digest = digestOf(match[1]);
  let found: string | undefined;
  // every key is compared, so the time taken does not tell which (or whether one) matched
  for (const key of keys) if (timingSafeEqual(key.digest, digest) && found === undefined) found = key.id;
  if (found === undefined) throw new GatewayError('UNAUTHORIZED', 'the API key is not valid');
  return found;
}
