import { existsSync, readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { startLocalServer } from './server.js';

describe('startLocalServer', () => {
  it('restart() brings the server back at the same address with its JetStream store; stop() removes a store it made', async () => {
    const server = await startLocalServer();
    try {
      const nc = await connect({ servers: server.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
      await nc.publish('kept.one', 'x');
      await nc.flush();
      const firstPid = server.pid;
      const statuses = nc.status();

      await server.restart();
      expect(server.pid).not.toBe(firstPid);
      for await (const status of statuses) if (status.type === 'reconnect') break;
      expect((await jsm.streams.info('KEPT')).state.messages).toBe(1);
      await nc.close();
    } finally {
      await server.stop();
    }
    expect(existsSync(server.storeDir)).toBe(false);
    await expect(server.restart()).rejects.toThrow(/after stop/);
  });

  it('maxProcs sets GOMAXPROCS for the server, unless the environment sets it', async () => {
    const goMaxProcs = (pid: number) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .find((entry) => entry.startsWith('GOMAXPROCS='));
    const inherited = process.env['GOMAXPROCS'];
    const servers = [];
    try {
      delete process.env['GOMAXPROCS'];
      servers.push(await startLocalServer({ maxProcs: 1 }), await startLocalServer());
      process.env['GOMAXPROCS'] = '2';
      servers.push(await startLocalServer({ maxProcs: 1 }));
      expect(servers.map((server) => goMaxProcs(server.pid))).toEqual(['GOMAXPROCS=1', undefined, 'GOMAXPROCS=2']);
    } finally {
      if (inherited === undefined) delete process.env['GOMAXPROCS'];
      else process.env['GOMAXPROCS'] = inherited;
      await Promise.all(servers.map((server) => server.stop()));
    }
  });

  it('reserves stream byte limits past 75 % of the free disk (what nats-server gives JetStream without a limit of its own)', async () => {
    const server = await startLocalServer();
    try {
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      // 900 GB: more than three quarters of any disk this runs on, under the local server's 1 TB
      await jsm.streams.add({ name: 'LARGE_LIMIT', subjects: ['large.>'], max_bytes: 900e9 });
      expect((await jsm.streams.info('LARGE_LIMIT')).config.max_bytes).toBe(900e9);
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});
