import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@paperline/bus';
import { silentLogger } from '@paperline/telemetry';
import { startTestServer, type TestServer } from '@paperline/testing';
import { PullSource } from '../src/pull-source.js';
import { openBus } from './helpers.js';

describe('a pull request whose end never comes', () => {
  let server: TestServer;
  let bus: Bus;
  beforeAll(async () => {
    server = await startTestServer();
    bus = await openBus(server);
  });
  afterAll(async () => server?.stop());

  it('is given up soon after its expiry, so the source is asked again (nats-server 2.9 drops some long polls without their 408)', async () => {
    // no consumer behind this API subject: the requests go to a subscriber that never answers,
    // as a long poll the server dropped at its expiry does
    const requests: unknown[] = [];
    const swallow = bus.nc.subscribe('$JS.API.CONSUMER.MSG.NEXT.LOST.lost', { callback: (_error, msg) => void requests.push(msg.json()) });
    const source = new PullSource(bus.nc, 'LOST', 'lost', 'normal', () => undefined, silentLogger());
    try {
      const sent = Date.now();
      expect(await source.waitForOne(100)).toBe(0);
      const ended = Date.now() - sent;
      expect(requests).toEqual([{ batch: 1, expires: 100_000_000 }]);
      expect(source.waiting).toBe(false);
      // expiry plus the slack (1 s); it held the source for expiry plus 5 s before
      expect(ended).toBeGreaterThanOrEqual(1_000);
      expect(ended).toBeLessThan(4_000);
    } finally {
      source.close();
      swallow.unsubscribe();
    }
  });
});
