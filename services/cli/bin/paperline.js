#!/usr/bin/env node
// The `paperline` command. Runs the build when there is one; otherwise runs the TypeScript source
// through tsx in a child node (loaders must be set when node starts), passing args, stdio, the
// exit code and termination signals through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'main.js');
// glibc keeps memory freed by native libraries (onnxruntime, sharp, the canvas) in per-thread
// arenas; two arenas bound that. (A low MALLOC_TRIM_THRESHOLD_ is no help: it also fixes the mmap
// threshold, so every large tensor was mmap'ed and page-faulted afresh: OCR ran 5x slower.)
// The allocator reads this only when a process starts.
const allocator = process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined ? { MALLOC_ARENA_MAX: '2' } : undefined;

if (existsSync(built) && !allocator) {
  await import(pathToFileURL(built).href);
} else {
  const entry = existsSync(built) ? [built] : ['--conditions=@paperline/source', '--import', 'tsx', join(root, 'src', 'main.ts')];
  const child = spawn(process.execPath, [...entry, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...allocator },
  });
  // the child handles the signal itself (clean shutdown); the parent only forwards it
  const forward = (signal) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('error', (error) => {
    console.error(`paperline: cannot start node: ${error.message}`);
    process.exit(70);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
