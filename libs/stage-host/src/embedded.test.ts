import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { baseSchema, loadConfig } from '@paperline/config';
import { Headers, PaperlineError, Subjects } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { JobStore, type CancellationWatch } from '@paperline/jobs';
import { startTestServer, type TestServer } from '@paperline/testing';
import { silentLogger } from '@paperline/telemetry';
import { startEmbeddedStage, type StageModule } from './index.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const] };

/** A layout stage that takes JSON bodies and closes with a count, as a model stage would unload. */
function probeModule(closed: { count: number }): StageModule<{ text: string }> {
  return {
    stage: 'layout',
    schema: baseSchema,
    loadConfig: (loadOptions) => loadConfig(baseSchema, loadOptions),
    runtime: () => ({ batchSize: 3, maxInflightBatches: 1 }),
    create: () => ({
      handler: {
        stage: 'layout',
        decode(data) {
          try {
            return JSON.parse(new TextDecoder().decode(data)) as { text: string };
          } catch {
            throw new PaperlineError('INVALID_MESSAGE', 'not JSON');
          }
        },
        handleBatch: async (batch) => batch.map(() => ({ outputs: [] })),
        status: () => ({ loaded: [] }),
      },
      close: async () => {
        closed.count++;
      },
      describe: () => ({ backend: 'probe', models: ['probe-model'] }),
    }),
  };
}

describe('startEmbeddedStage', () => {
  let server: TestServer;
  let bus: Bus;
  let jobs: JobStore;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    jobs = await JobStore.open(bus);
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it("runs a module with its runtime defaults, shows its backend in /status, fails the document of a bad message, and closes the stage once, ending its cancellation subscription", async () => {
    const closed = { count: 0 };
    const watching = vi.spyOn(jobs, 'watchCancellations');
    const stage = await startEmbeddedStage(probeModule(closed), { bus, jobs, log: silentLogger(), runtime: { lagPollMs: 0 } });
    expect(watching).toHaveBeenCalledTimes(1);
    const stopped = vi.spyOn(watching.mock.results[0]?.value as CancellationWatch, 'stop');
    expect(stage.runtime.status()).toMatchObject({ stage: 'layout', batchSize: 3, handler: { backend: 'probe', models: ['probe-model'], loaded: [] } });
    expect(stage.describe()).toEqual({ backend: 'probe', models: ['probe-model'] });

    await jobs.create({ docId: 'host-00001', fileName: 'a.pdf', options });
    const headers = natsHeaders();
    headers.set(Headers.docId, 'host-00001');
    await bus.js.publish(Subjects.work('layout', 'normal'), new TextEncoder().encode('{not json'), { headers });
    const deadline = Date.now() + 10_000;
    while ((await jobs.get('host-00001'))?.status !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await jobs.get('host-00001'))?.error).toMatchObject({ stage: 'layout', code: 'INVALID_MESSAGE' });

    await stage.close();
    expect(closed.count).toBe(1);
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(stage.runtime.status()).toMatchObject({ state: 'stopped' });
  });
});
