// The project's scorer is ../shared/eval/score.mjs (read-only, outside the repository): loaded at
// run time from PL_SCORER or the shared folder beside the worktree.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Score {
  nedWords: number;
  nedChars: number | null;
  bowF1: number;
}

export interface Scorer {
  score(prediction: string, truth: string): Score;
}

export async function loadScorer(): Promise<Scorer> {
  const path = resolve(process.env['PL_SCORER'] ?? join(import.meta.dirname, '../../../shared/eval/score.mjs'));
  if (!existsSync(path)) throw new Error(`no scorer at ${path} (set PL_SCORER to shared/eval/score.mjs)`);
  return (await import(pathToFileURL(path).href)) as Scorer;
}
