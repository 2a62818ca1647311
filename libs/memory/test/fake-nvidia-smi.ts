// Writes a fake nvidia-smi (a shell script) that prints the given CSV for each query, so GPU
// probing and CPU fallback can be tested on a machine without a GPU.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeGpu {
  /** `--query-gpu=index,memory.used,memory.total` output. */
  gpus: string;
  /** `--query-compute-apps=pid,used_memory` output. */
  apps?: string;
}

/** Returns the directory holding `nvidia-smi` (prepend it to PATH) and the binary's path. */
export function writeFakeNvidiaSmi(fake: FakeGpu): { dir: string; binary: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvidia-smi-'));
  const binary = join(dir, 'nvidia-smi');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    binary,
    `#!/bin/sh\ncase "$1" in\n  --query-gpu=*) printf '%s' ${quote(fake.gpus)} ;;\n  --query-compute-apps=*) printf '%s' ${quote(fake.apps ?? '')} ;;\n  *) exit 9 ;;\nesac\n`,
  );
  chmodSync(binary, 0o755);
  return { dir, binary };
}
