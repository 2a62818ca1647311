// How a process proves who it is to NATS, and how it keeps that secret out of every message.
// Any of user/password, token, nkey seed or creds file (JWT), with or without TLS; credentials
// may also sit in the URL (nats://user:pass@host), which is why every URL is redacted before it
// is written anywhere.
import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type TlsOptions } from '@nats-io/nats-core';
import { BusError, BusErrorCodes } from './errors.js';

/** One way of authenticating, plus TLS; every field optional (none: an open server). */
export interface NatsAuth {
  user?: string;
  password?: string;
  token?: string;
  /** A file holding an nkey seed (`SU...`). */
  nkeySeedFile?: string;
  /** A `.creds` file: the user's JWT and nkey seed. */
  credsFile?: string;
  tls?: {
    /** CA bundle to verify the server with. */
    caFile?: string;
    /** Client certificate and key, for a server that verifies clients. */
    certFile?: string;
    keyFile?: string;
    /** Ask for TLS even without any file (the server's certificate is trusted by the system). */
    required?: boolean;
  };
}

/** The NATS section of the configuration (baseSchema's `nats`), as far as authentication goes. */
export interface NatsAuthSettings {
  user: string;
  password: string;
  token: string;
  nkeySeedFile: string;
  credsFile: string;
  tls: { caFile: string; certFile: string; keyFile: string; required: boolean };
}

/** Empty settings are absent ones: the convict defaults are empty strings. */
export function natsAuthFromSettings(settings: NatsAuthSettings): NatsAuth {
  const auth: NatsAuth = {};
  if (settings.user) auth.user = settings.user;
  if (settings.password) auth.password = settings.password;
  if (settings.token) auth.token = settings.token;
  if (settings.nkeySeedFile) auth.nkeySeedFile = settings.nkeySeedFile;
  if (settings.credsFile) auth.credsFile = settings.credsFile;
  const { caFile, certFile, keyFile, required } = settings.tls;
  if (caFile || certFile || keyFile || required) {
    auth.tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}), ...(required ? { required } : {}) };
  }
  return auth;
}

function readSecretFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    // the path is named, the content never is
    throw new BusError(BusErrorCodes.CONNECT_FAILED, `cannot read the NATS ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** nats.js connection options for one NatsAuth. */
export function natsConnectionAuth(auth: NatsAuth = {}): Partial<ConnectionOptions> {
  const methods = [auth.user !== undefined || auth.password !== undefined, auth.token !== undefined, auth.nkeySeedFile !== undefined, auth.credsFile !== undefined].filter(Boolean).length;
  if (methods > 1) throw new BusError(BusErrorCodes.CONNECT_FAILED, 'NATS authentication: set one of user/password, token, nkey seed file or creds file, not several');
  const options: Partial<ConnectionOptions> = {};
  if (auth.user !== undefined) options.user = auth.user;
  if (auth.password !== undefined) options.pass = auth.password;
  if (auth.token !== undefined) options.token = auth.token;
  if (auth.nkeySeedFile !== undefined) {
    const seed = new TextDecoder().decode(readSecretFile(auth.nkeySeedFile, 'nkey seed file')).trim();
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (auth.credsFile !== undefined) options.authenticator = credsAuthenticator(readSecretFile(auth.credsFile, 'creds file'));
  if (auth.tls) {
    const tls: TlsOptions = {};
    if (auth.tls.caFile) tls.caFile = auth.tls.caFile;
    if (auth.tls.certFile) tls.certFile = auth.tls.certFile;
    if (auth.tls.keyFile) tls.keyFile = auth.tls.keyFile;
    options.tls = tls;
  }
  return options;
}

/** A server URL with any password or token in it replaced by `***` (the user name stays: it is not a secret). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;
  });
}

/** Removes every secret in `secrets` from a text (an error message from a library, say). */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) if (secret && secret.length >= 3) result = result.split(secret).join('***');
  return result;
}
