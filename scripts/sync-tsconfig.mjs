#!/usr/bin/env node
// Writes each workspace package's tsconfig.lib.json (project references follow its
// @paperline/* dependencies) and the root tsconfig.json, so `tsc -b` builds in dependency order.
// Run after adding a package or a dependency between packages.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = new Map();
for (const group of ['libs', 'services']) {
  for (const dir of readdirSync(join(root, group))) {
    const manifest = join(root, group, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    packages.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(root, group, dir));
  }
}
for (const [, dir] of packages) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => packages.has(d));
  const config = {
    extends: relative(dir, join(root, 'tsconfig.base.json')),
    compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo' },
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.test.ts'],
    references: deps.map((d) => ({ path: join(relative(dir, packages.get(d)), 'tsconfig.lib.json') })),
  };
  writeFileSync(join(dir, 'tsconfig.lib.json'), JSON.stringify(config, null, 2) + '\n');
}
const rootConfig = {
  files: [],
  references: [...packages.values()].map((dir) => ({ path: `./${relative(root, dir)}/tsconfig.lib.json` })),
};
writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(rootConfig, null, 2) + '\n');
console.log(`tsconfig: ${packages.size} packages`);
