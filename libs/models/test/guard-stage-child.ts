// Child process for the emergency test through the stage runtime: an 'ocr' stage process whose
// handler holds its first message (in flight) while a MemoryGuard with a tiny limit escalates to
// emergency and recycles the process (exit 75) through the runtime's graceful shutdown.
import { z } from 'zod';
import { PaperlineError, decode } from '@paperline/contracts';
import { DeviceBudgets, HostProbe, MemoryGuard, ProcessProbe } from '@paperline/memory';
import { EXIT_RECYCLE, runStageProcess, type JobOutcome, type StageHandler } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { Manifest, ModelManager, guardActionsFor } from '../src/index.js';

const [url, manifestPath, dumpDir] = process.argv.slice(2);
const instance = `guarded-stage-${process.pid}`;
const manifest = await Manifest.load(manifestPath ?? '');
/** Built once the stage process (and its bus) exists; the handler only runs after that. */
const late: { manager?: ModelManager; guard?: MemoryGuard } = {};
const TaskSchema = z.object({ id: z.string() });

const handler: StageHandler<z.infer<typeof TaskSchema>> = {
  stage: 'ocr',
  decode: (data) => decode(TaskSchema, data),
  async handleBatch(batch, ctx): Promise<JobOutcome[]> {
    const model = await late.manager!.acquire('small');
    try {
      process.stdout.write(`IN_FLIGHT ${batch.map((m) => `${m.data.id}#${m.deliveryCount}`).join(',')}\n`);
      late.guard!.start();
      // long inference: runs until the shutdown grace period aborts it
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return batch.map(() => ({ error: new PaperlineError('SHUTTING_DOWN', 'aborted by shutdown') }));
    } finally {
      model.release();
    }
  },
  release: () => late.manager!.unloadAll('stage release'),
};

const stage = await runStageProcess({
  handler,
  options: { stage: 'ocr', instance, graceMs: 1_000, batchSize: 1, health: false, lagPollMs: 0, backoff: { initialMs: 100, maxMs: 200 } },
  nats: { servers: url ?? '' },
  log: silentLogger(),
  topology: false,
  exit: (code) => {
    process.stdout.write(`EXIT ${code}\n`);
    process.exit(code);
  },
});
const budgets = new DeviceBudgets({ bus: stage.bus, stage: 'ocr', instance, capacity: { cpu: { bytes: 1e9 }, gpu: { fraction: 0.9 } }, probes: [new HostProbe('test')] });
const manager = new ModelManager({ manifest, stage: 'ocr', instance, node: 'test', budgets, providers: ['cpu'], idleTimeoutMs: 0, bus: stage.bus });
const guard: MemoryGuard = new MemoryGuard({
  actions: guardActionsFor(manager, {
    suspend: (reason) => stage.runtime.suspend(reason),
    resume: () => stage.runtime.unsuspend(),
    recycle: async (reason) => {
      guard.stop();
      process.stdout.write(`RECYCLE ${reason}\n`);
      await stage.requestExit(EXIT_RECYCLE, reason);
    },
  }),
  probe: new ProcessProbe('test'),
  device: 'cpu@test',
  limitBytes: 1_000_000,
  intervalMs: 100,
  cooldownMs: 300,
  dumpDir,
  heapSnapshot: false,
  stage: 'ocr',
  instance,
  bus: stage.bus,
});
late.manager = manager;
late.guard = guard;
process.stdout.write('READY\n');
