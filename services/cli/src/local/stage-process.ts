import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleStage } from './stage-modules.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The node arguments that run a service's process (`services/<service>`): the build if present, else the source through tsx. */
export function serviceCommand(service: string): string[] {
  const built = join(repoRoot, 'services', service, 'dist', 'main.js');
  if (existsSync(built)) return [built];
  return ['--conditions=@paperline/source', '--import', 'tsx', join(repoRoot, 'services', service, 'src', 'main.ts')];
}

/** The node arguments that run one stage's standalone process. */
export function stageCommand(stage: ModuleStage): string[] {
  return serviceCommand(stage);
}
