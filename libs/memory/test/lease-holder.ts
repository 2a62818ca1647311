// Child process for the crash-safety test: takes a lease, says so, then waits to be killed.
import { Bus } from '@paperline/bus';
import { MemoryBudget } from '../src/index.js';

const [url, device, capacity, bytes, ttl, heartbeat] = process.argv.slice(2);
const bus = await Bus.connect({ servers: url ?? '', waitOnFirstConnect: false });
const budget = await MemoryBudget.open({
  bus,
  device: device ?? '',
  stage: 'ocr',
  instance: `holder-${process.pid}`,
  capacityBytes: Number(capacity),
  leaseTtlMs: Number(ttl),
  heartbeatMs: Number(heartbeat),
});
const leaseId = await budget.reserve('big-model', Number(bytes));
await budget.setState(leaseId, 'active');
process.stdout.write(`RESERVED ${leaseId}\n`);
setInterval(() => undefined, 60_000);
