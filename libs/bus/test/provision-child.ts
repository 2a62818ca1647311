// Run as a separate process by provision.test.ts: provisions the topology once and prints the report.
import { Bus, buildTopology, provisionTopology } from '../src/index.js';

const bus = await Bus.connect({ servers: process.argv[2] ?? '', waitOnFirstConnect: false });
const report = await provisionTopology(bus.nc, buildTopology({ ackWaitMs: 7_000 }));
console.log(JSON.stringify(report));
await bus.close();
