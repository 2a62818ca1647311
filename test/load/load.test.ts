// Issue 13's load acceptance, scaled down and without any timing assert: 10 concurrent clients,
// each with a fixed number of documents, through the HTTP gateway (an API key each) and through
// NATS, against a nats-server, `paperline up` (a process per stage) and the gateway process. Every
// document completes with the right Markdown and page count, none fails, no stage process exits.
// The full-size figures (50 clients for 60 s, throughput, latency, RSS) come from `npm run bench:load`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpLoad, runNatsLoad, type LoadDocument, type LoadResult } from './clients.js';
import { loadDocuments } from './documents.js';
import { startProcessPipeline, type ProcessPipeline } from './processes.js';

const CLIENTS = 10;
const PER_CLIENT = 3;

function expectAllCompleted(result: LoadResult, pipeline: ProcessPipeline): void {
  const errors = Object.fromEntries(result.errors);
  expect(errors, pipeline.logTail()).toEqual({});
  expect(result.submitted).toBe(CLIENTS * PER_CLIENT);
  expect(result.completions).toHaveLength(CLIENTS * PER_CLIENT);
  // each client alternates the documents, starting at its own index: both kinds ran, half each
  for (const kind of ['pdf', 'image']) expect(result.completions.filter((c) => c.kind === kind).length).toBe((CLIENTS * PER_CLIENT) / 2);
  expect(pipeline.stageExits()).toEqual([]);
}

describe('load: concurrent clients through HTTP and NATS on the stage processes', () => {
  let pipeline: ProcessPipeline;
  let documents: LoadDocument[];

  beforeAll(async () => {
    documents = await loadDocuments();
    pipeline = await startProcessPipeline({ keys: CLIENTS });
  }, 240_000);
  afterAll(async () => pipeline?.close(), 120_000);

  it(`${CLIENTS} clients x ${PER_CLIENT} documents through the gateway: all complete, no errors`, async () => {
    expectAllCompleted(await runHttpLoad({ clients: CLIENTS, perClient: PER_CLIENT, documents, gatewayUrl: pipeline.gatewayUrl, keys: pipeline.keys }), pipeline);
  }, 600_000);

  it(`${CLIENTS} clients x ${PER_CLIENT} documents through NATS: all complete, no errors`, async () => {
    expectAllCompleted(await runNatsLoad({ clients: CLIENTS, perClient: PER_CLIENT, documents, natsUrl: pipeline.natsUrl }), pipeline);
  }, 600_000);
});
