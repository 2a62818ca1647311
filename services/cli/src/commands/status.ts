import { Command } from 'commander';
import { STAGES } from '@paperline/contracts';
import { clusterStatus, type ClusterStatus } from '../cluster-status.js';
import { connectBus, writeLine, type CliContext } from '../context.js';

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;
}

/** Left-aligned columns separated by two spaces. */
export function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function renderStatus(status: ClusterStatus): string[] {
  const count = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(n));
  const stageRows = STAGES.map((stage) => {
    const s = status.stages[stage];
    const loaded = s.models.map((m) => `${m.id}@${m.device}${m.loaded ? '' : ` (${m.state})`}`);
    // the models the backend uses that hold no lease now are unloaded (lazy load, idle unload)
    const unloaded = [...new Set(s.instances.flatMap((i) => i.models))].filter((id) => !s.models.some((m) => m.id === id)).map((id) => `${id} (not loaded)`);
    const state = s.state === 'down' && s.paused ? 'down, paused' : s.state;
    return [stage, state, String(s.instances.length), s.backends.join(', ') || '-', count(s.pending.high), count(s.pending.normal), count(s.inFlight), [...loaded, ...unloaded].join(', ') || '-'];
  });
  const lines = renderTable(['STAGE', 'STATE', 'INSTANCES', 'BACKEND', 'HIGH', 'NORMAL', 'IN FLIGHT', 'MODELS'], stageRows);
  lines.push('');
  const devices = Object.entries(status.devices);
  if (devices.length === 0) {
    lines.push('no memory ledgers yet (no stage has loaded a model)');
    return lines;
  }
  const deviceRows = devices.map(([device, d]) => {
    const live = d.leases.filter((l) => !l.expired);
    const percent = d.capacityBytes > 0 ? ` (${Math.round((100 * d.reservedBytes) / d.capacityBytes)}%)` : '';
    return [device, mib(d.capacityBytes), `${mib(d.reservedBytes)}${percent}`, live.map((l) => `${l.model}:${l.stage}:${l.state}:${mib(l.bytes)}`).join(', ') || '-'];
  });
  lines.push(...renderTable(['DEVICE', 'CAPACITY', 'RESERVED', 'LEASES'], deviceRows));
  return lines;
}

export function statusCommand(ctx: CliContext): Command {
  return new Command('status')
    .summary('show stages, queues, models and memory')
    .description('per stage: running, paused or down (no instance answers), instances, backend, pending messages by priority, in flight, models; per device: capacity, reserved, leases')
    .option('--json', 'print JSON with the keys stages and devices')
    .action(async (flags: { json?: boolean }) => {
      const bus = await connectBus(ctx);
      try {
        const status = await clusterStatus(bus, ctx.log);
        if (flags.json) writeLine(ctx.stdout, JSON.stringify(status, null, 2));
        else for (const line of renderStatus(status)) writeLine(ctx.stdout, line);
      } finally {
        await bus.close();
      }
    });
}
