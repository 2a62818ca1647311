import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageName } from '@paperline/contracts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The node arguments that run one stage's standalone process: the build if present, else the source through tsx. */
export function stageCommand(stage: StageName): string[] {
  const built = join(repoRoot, 'services', stage, 'dist', 'main.js');
  if (existsSync(built)) return [built];
  return ['--conditions=@paperline/source', '--import', 'tsx', join(repoRoot, 'services', stage, 'src', 'main.ts')];
}

export function stageHasProcess(stage: StageName): boolean {
  return existsSync(join(repoRoot, 'services', stage, 'src', 'main.ts')) || existsSync(join(repoRoot, 'services', stage, 'dist', 'main.js'));
}
