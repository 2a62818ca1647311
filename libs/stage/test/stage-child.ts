// A standalone stage process for shutdown.test.ts: argv = [natsUrl, instance, graceMs, batchDelayMs].
// Prints "batch <n>" on stdout when a batch starts.
import { createLogger } from '@paperline/telemetry';
import { runStageProcess } from '../src/index.js';
import { testStage } from './helpers.js';

const [url = '', instance = 'child', grace = '5000', delay = '300'] = process.argv.slice(2);
let batches = 0;
const handler = testStage({
  delayMs: Number(delay),
  onBatch: async (batch) => {
    process.stdout.write(`batch ${++batches} ${batch.length}\n`);
  },
});
await runStageProcess({
  handler,
  options: { stage: 'layout', instance, batchSize: 8, maxInflightBatches: 2, graceMs: Number(grace), lagPollMs: 0 },
  nats: { servers: url },
  log: createLogger({ level: 'info', destination: 2 }),
});
process.stdout.write('ready\n');
