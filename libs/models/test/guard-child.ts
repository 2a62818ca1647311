// Child process for the emergency test: one idle model loaded, a MemoryGuard with a limit far
// below this process's RSS, and a recycle hook that tears down and exits 75.
import { Bus } from '@paperline/bus';
import { DeviceBudgets, HostProbe, MemoryGuard, ProcessProbe } from '@paperline/memory';
import { Manifest, ModelManager, guardActionsFor } from '../src/index.js';

const [url, manifestPath, dumpDir] = process.argv.slice(2);
const instance = `guarded-${process.pid}`;
const bus = await Bus.connect({ servers: url ?? '', waitOnFirstConnect: false });
const manifest = await Manifest.load(manifestPath ?? '');
const budgets = new DeviceBudgets({ bus, stage: 'ocr', instance, capacity: { cpu: { bytes: 1e9 }, gpu: { fraction: 0.9 } }, probes: [new HostProbe('test')] });
const manager = new ModelManager({ manifest, stage: 'ocr', instance, node: 'test', budgets, providers: ['cpu'], idleTimeoutMs: 0, bus });
(await manager.acquire('small')).release();
const guard = new MemoryGuard({
  actions: guardActionsFor(manager, {
    suspend: (reason) => void process.stdout.write(`SUSPENDED ${reason}\n`),
    resume: () => void process.stdout.write('RESUMED\n'),
    recycle: async (reason) => {
      process.stdout.write(`RECYCLE ${reason}\n`);
      guard.stop();
      await manager.teardown();
      await bus.close();
      process.exit(75);
    },
  }),
  probe: new ProcessProbe('test'),
  device: 'cpu@test',
  limitBytes: 1_000_000,
  intervalMs: 100,
  cooldownMs: 300,
  dumpDir,
  stage: 'ocr',
  instance,
  bus,
});
process.stdout.write(`READY ${manager.isLoaded('small')}\n`);
guard.start();
