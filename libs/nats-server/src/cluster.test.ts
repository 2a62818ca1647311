import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { startLocalCluster } from './cluster.js';

describe('startLocalCluster', () => {
  it('forms a JetStream cluster that keeps an R3 stream through one server killed with SIGKILL and started again', async () => {
    const cluster = await startLocalCluster();
    try {
      expect(cluster.urls).toHaveLength(3);
      const nc = await connect({ servers: [...cluster.urls], reconnectTimeWait: 50, maxReconnectAttempts: -1 });
      const jsm = await jetstreamManager(nc, { timeout: 10_000, checkAPI: false });
      // the meta leader is elected a moment after the servers are ready
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      const victim = cluster.servers[1]!;
      await victim.kill('SIGKILL');
      expect(victim.running).toBe(false);
      const js = jsm.jetstream();
      const afterKill = Date.now() + 30_000;
      for (;;) {
        const ack = await js.publish('r3.one', 'x').catch((error: unknown) => (Date.now() > afterKill ? Promise.reject(error) : undefined));
        if (ack) break;
      }
      await victim.start();
      expect(victim.running).toBe(true);
      expect((await jsm.streams.info('R3')).config.num_replicas).toBe(3);
      await nc.close();
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
