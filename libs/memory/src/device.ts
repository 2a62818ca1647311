import { MemoryError } from './errors.js';

/** A device id: `cpu@<node>` or `cuda:<n>@<node>`. */
export type DeviceId = string;

export interface ParsedDevice {
  kind: 'cpu' | 'cuda';
  /** GPU index; 0 for cpu. */
  index: number;
  node: string;
}

export function cpuDevice(node: string): DeviceId {
  return `cpu@${node}`;
}

export function cudaDevice(index: number, node: string): DeviceId {
  return `cuda:${index}@${node}`;
}

/** Parses a device id, or a bare provider spec (`cpu`, `cuda:1`) when node is given. */
export function parseDevice(id: string, node?: string): ParsedDevice {
  const match = /^(cpu|cuda)(?::(\d+))?(?:@(.+))?$/.exec(id);
  const deviceNode = match?.[3] ?? node;
  if (!match || deviceNode === undefined) throw new MemoryError('UNKNOWN_DEVICE', `'${id}' is not cpu@<node> or cuda:<n>@<node>`);
  return { kind: match[1] as 'cpu' | 'cuda', index: match[2] ? Number(match[2]) : 0, node: deviceNode };
}

export function formatDevice(device: ParsedDevice): DeviceId {
  return device.kind === 'cpu' ? cpuDevice(device.node) : cudaDevice(device.index, device.node);
}
