// Every way of authenticating against a real nats-server, and TLS with a CA and certificates this
// test generates with openssl (skipped, saying so, where openssl is missing).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@nats-io/nkeys';
import { startLocalServer, type LocalServer } from '@paperline/nats-server';
import { natsAuthFromSettings, redactSecrets, redactUrl } from './auth.js';
import { Bus } from './bus.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function connectError(connect: () => Promise<Bus>): Promise<Error> {
  return connect().then(
    async (bus) => {
      await bus.close();
      throw new Error('connected, but should not have');
    },
    (error: unknown) => error as Error,
  );
}

describe('redaction', () => {
  it('hides passwords and tokens in URLs and messages, keeps user names and hosts', () => {
    expect(redactUrl('nats://alice:s3cret@nats.example:4222')).toBe('nats://alice:***@nats.example:4222');
    expect(redactUrl('tls://tok3n@10.0.0.1:4222')).toBe('tls://***@10.0.0.1:4222');
    expect(redactUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(redactSecrets('auth s3cret failed for s3cret', ['s3cret', undefined])).toBe('auth *** failed for ***');
  });

  it('reads empty settings as absent and TLS from any of its files', () => {
    const empty = { user: '', password: '', token: '', nkeySeedFile: '', credsFile: '', tls: { caFile: '', certFile: '', keyFile: '', required: false } };
    expect(natsAuthFromSettings(empty)).toEqual({});
    expect(natsAuthFromSettings({ ...empty, user: 'u', password: 'p', tls: { ...empty.tls, caFile: '/ca.pem' } })).toEqual({ user: 'u', password: 'p', tls: { caFile: '/ca.pem' } });
  });
});

describe('NATS authentication', () => {
  let dir: string;
  const servers: LocalServer[] = [];
  const start = async (conf: string) => {
    const file = join(dir, `server-${servers.length}.conf`);
    writeFileSync(file, conf);
    const server = await startLocalServer({ configFile: file });
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pl-auth-'));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('user and password: the right one connects, a wrong one fails without the password in the message', async () => {
    const server = await start('authorization { user: alice, password: s3cretPassw0rd }\n');
    const bus = await Bus.connect({ servers: server.url, auth: { user: 'alice', password: 's3cretPassw0rd' }, waitOnFirstConnect: false });
    await bus.nc.flush();
    await bus.close();
    for (const attempt of [
      () => Bus.connect({ servers: server.url, auth: { user: 'alice', password: 'Wr0ngPassw0rd' }, waitOnFirstConnect: false }),
      () => Bus.connect({ servers: server.url.replace('nats://', 'nats://alice:Wr0ngPassw0rd@'), waitOnFirstConnect: false }),
    ]) {
      const error = await connectError(attempt);
      expect(error.message).toMatch(/authorization violation/i);
      expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain('Wr0ngPassw0rd');
    }
  });

  it('token', async () => {
    const server = await start('authorization { token: t0ken-abcdefghijkl }\n');
    const bus = await Bus.connect({ servers: server.url, auth: { token: 't0ken-abcdefghijkl' }, waitOnFirstConnect: false });
    await bus.nc.flush();
    await bus.close();
    const error = await connectError(() => Bus.connect({ servers: server.url, auth: { token: 'wrong-token-xyz' }, waitOnFirstConnect: false }));
    expect(error.message).not.toContain('wrong-token-xyz');
  });

  it('nkey seed file', async () => {
    const user = createUser();
    const server = await start(`authorization { users: [ { nkey: ${user.getPublicKey()} } ] }\n`);
    const seedFile = join(dir, 'user.nk');
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    const bus = await Bus.connect({ servers: server.url, auth: { nkeySeedFile: seedFile }, waitOnFirstConnect: false });
    await bus.nc.flush();
    await bus.close();
    const missing = await connectError(() => Bus.connect({ servers: server.url, auth: { nkeySeedFile: join(dir, 'nope.nk') }, waitOnFirstConnect: false }));
    expect(missing.message).toMatch(/cannot read the NATS nkey seed file .*nope\.nk: ENOENT/);
  });

  it('refuses two ways of authenticating at once', async () => {
    const error = await connectError(() => Bus.connect({ servers: 'nats://127.0.0.1:1', auth: { token: 'a-token-value', user: 'u', password: 'p' }, waitOnFirstConnect: false }));
    expect(error.message).toMatch(/one of user\/password, token/);
  });

  it.skipIf(!hasOpenssl)('TLS with a generated CA, server and client certificates (openssl)', async () => {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=paperline test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
    for (const name of ['server', 'client']) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', `${name}.pem`);
    }
    const server = await start(
      `tls { ca_file: "${join(dir, 'ca.pem')}", cert_file: "${join(dir, 'server.pem')}", key_file: "${join(dir, 'server-key.pem')}", verify: true, timeout: 5 }\n`,
    );
    const tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client-key.pem') };
    const bus = await Bus.connect({ servers: server.url, auth: { tls }, waitOnFirstConnect: false });
    await bus.nc.flush();
    expect(bus.nc.info?.tls_required).toBe(true);
    await bus.close();
    // without the CA the server's certificate is not trusted; without a client certificate the server refuses
    await expect(connectError(() => Bus.connect({ servers: server.url, auth: { tls: { required: true } }, waitOnFirstConnect: false }))).resolves.toBeInstanceOf(Error);
    await expect(connectError(() => Bus.connect({ servers: server.url, auth: { tls: { caFile: tls.caFile } }, waitOnFirstConnect: false }))).resolves.toBeInstanceOf(Error);
  });
});
