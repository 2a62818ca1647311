import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { Buckets, Subjects, consumerName } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { createMetrics } from '@paperline/telemetry';
import { JetStreamExporter, consumerLabels } from './jetstream-exporter.js';

describe('JetStreamExporter', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('reports lag, waiting pulls, stream storage and dead letters with no stage process running', async () => {
    const bus = await Bus.connect({ servers: server.url });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    for (let i = 0; i < 3; i++) await bus.publish(Subjects.work('ocr', 'normal'), new TextEncoder().encode(`{"n":${i}}`), { msgId: `lag-${i}` });
    await bus.publish(Subjects.dlq('render'), new TextEncoder().encode('{}'), { msgId: 'dl-1' });
    // a KV watcher is an ephemeral consumer under a random name: not a series
    const watch = await (await bus.kv(Buckets.control)).watch();
    server.defer(() => watch.stop());
    const metrics = createMetrics(new Registry());
    const exporter = new JetStreamExporter({ jsm: bus.jsm, metrics });
    await exporter.poll();
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(new RegExp(`^pl_jetstream_consumer_\\w+\\{stream="KV_${Buckets.control}"`, 'm'));
    expect(text).toMatch(new RegExp(`^pl_jetstream_stream_messages\\{stream="KV_${Buckets.control}"\\}`, 'm'));
    const ocr = `stream="PL_WORK",consumer="${consumerName('ocr', 'normal')}",stage="ocr",priority="normal"`;
    expect(text).toContain(`pl_jetstream_consumer_pending{${ocr}} 3`);
    expect(text).toContain(`pl_jetstream_consumer_waiting{${ocr}} 0`);
    expect(text).toContain(`pl_jetstream_consumer_ack_pending{${ocr}} 0`);
    expect(text).toContain('pl_jetstream_stream_messages{stream="PL_WORK"} 3');
    expect(text).toMatch(/^pl_jetstream_stream_bytes\{stream="PL_WORK"\} [1-9]/m);
    expect(text).toContain('pl_jetstream_dead_letters{stage="render"} 1');
    expect(text).toContain('pl_jetstream_dead_letters{stage="ocr"} 0');
    expect(text).toContain('pl_jetstream_up 1');

    // a deleted consumer disappears instead of keeping its last figure
    await bus.jsm.consumers.delete('PL_WORK', consumerName('ocr', 'normal'));
    await exporter.poll();
    expect(await metrics.registry.metrics()).not.toContain(`pl_jetstream_consumer_pending{${ocr}}`);

    // the server gone: up goes to 0
    await bus.close();
    await exporter.poll();
    expect(await metrics.registry.metrics()).toContain('pl_jetstream_up 0');
  });

  it('labels paperline consumers with stage and priority, others with empty labels', () => {
    expect(consumerLabels('layout-high')).toEqual({ stage: 'layout', priority: 'high' });
    expect(consumerLabels('someone-else')).toEqual({ stage: '', priority: '' });
  });
});
