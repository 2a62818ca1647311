import { MemoryError } from './errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** A capacity setting: absolute bytes, or a fraction of the device's total. */
export type CapacitySpec = { bytes: number } | { fraction: number };

/**
 * Parses `0.8` (a fraction, 0 < f <= 1), `80%`, `12GiB`, `500MB` or `1073741824` (bytes).
 * A bare number above 1 is whole bytes.
 */
export function parseCapacity(value: string | number): CapacitySpec {
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) return fraction(Number(percent[1]) / 100, text);
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b)?$/i.exec(text);
  if (!match) throw new MemoryError('INVALID_CAPACITY', `'${text}' is not bytes (e.g. 12GiB), a percentage or a fraction`);
  const number = Number(match[1]);
  if (!match[2] && number <= 1) return fraction(number, text);
  if (!match[2] && !Number.isInteger(number)) throw new MemoryError('INVALID_CAPACITY', `'${text}': a bare number is a fraction (<= 1) or whole bytes`);
  const unit = UNITS[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) throw new MemoryError('INVALID_CAPACITY', `unknown unit in '${text}'`);
  return { bytes: Math.floor(number * unit) };
}

function fraction(f: number, text: string): CapacitySpec {
  if (!(f > 0 && f <= 1)) throw new MemoryError('INVALID_CAPACITY', `fraction '${text}' must be in (0, 1]`);
  return { fraction: f };
}

/** Capacity in bytes for a device whose total is `totalBytes`. */
export function resolveCapacity(spec: CapacitySpec, totalBytes: number): number {
  return 'bytes' in spec ? spec.bytes : Math.floor(spec.fraction * totalBytes);
}
