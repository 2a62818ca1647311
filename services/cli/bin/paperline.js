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

if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const child = spawn(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', join(root, 'src', 'main.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
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
