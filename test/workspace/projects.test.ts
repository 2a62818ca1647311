// `npx nx run-many -t build test lint` must pass: a project whose test target finds no test file
// fails it (vitest exits 1), which the README's test command, one vitest run over the whole
// tree, would not notice.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function projects(): Array<{ dir: string; scripts: Record<string, string> }> {
  return ['libs', 'services'].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, 'package.json')))
      .map((entry) => {
        const dir = join(group, entry.name);
        const { scripts = {} } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
        return { dir, scripts };
      }),
  );
}

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.test.ts') && !/(^|\/)(dist|node_modules)\//.test(file));
}

describe('workspace projects', () => {
  it('every project has build, test and lint targets, and tests for its test target to run', () => {
    const found = projects();
    expect(found.length).toBeGreaterThan(10);
    for (const { dir, scripts } of found) {
      expect(Object.keys(scripts), dir).toEqual(expect.arrayContaining(['build', 'test', 'lint']));
      expect(scripts['test'], dir).toContain(`${dir}/`);
      expect(testFiles(dir).length, `${dir} has no *.test.ts`).toBeGreaterThan(0);
    }
  });
});
