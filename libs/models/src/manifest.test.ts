import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Manifest, ModelError, OnnxSessionFactory } from './index.js';
import { modelsDir } from '../test/fixtures.js';

const repoManifest = fileURLToPath(new URL('../../../models/manifest.json', import.meta.url));

describe('Manifest', () => {
  it("validates the repository's models/manifest.json, resolves every npm-packaged file and checks its sha256", async () => {
    const manifest = await Manifest.load(repoManifest);
    const packaged = manifest.models.filter((m) => m.files.every((f) => f.package));
    expect(packaged.length).toBeGreaterThan(0);
    for (const spec of packaged) {
      expect(manifest.isPresent(spec)).toBe(true);
      const paths = await manifest.resolveFiles(spec, { verify: true });
      expect(paths).toHaveLength(spec.files.length);
    }
  });

  it('lists the hub-only layout and formula models with their upstream page, and finds them absent from an empty models dir', async () => {
    const manifest = await Manifest.load(repoManifest, { modelsDir: modelsDir() });
    const hubOnly = manifest.models.filter((m) => m.files.some((f) => !f.package));
    expect(hubOnly.map((m) => m.id)).toEqual(expect.arrayContaining(['pp-doclayout-s', 'pp-doclayout-m', 'pp-doclayout-l', 'pp-doclayout-plus-l', 'pp-formulanet-s', 'pp-formulanet-l']));
    for (const spec of hubOnly) {
      expect(spec.url).toMatch(/^https:\/\//);
      expect(manifest.isPresent(spec)).toBe(false);
      expect(() => manifest.resolveFile(spec.files[0]!)).toThrow(/PL_MODELS_DIR/);
    }
  });

  it('loads a real PP-OCR model from its npm package on cpu', async () => {
    const manifest = await Manifest.load(repoManifest);
    const det = manifest.models.find((m) => m.task === 'text-detection');
    expect(det).toBeDefined();
    const factory = new OnnxSessionFactory();
    const session = await factory.create(await manifest.resolveFiles(det!), 'cpu');
    expect(session.inputNames).toEqual(['x']);
    await factory.release(session);
  });

  it('rejects a malformed manifest naming the field, duplicate ids, and unknown models', async () => {
    expect(() => Manifest.from({ models: [{ id: 'a b', stage: 'ocr' }] })).toThrow(/models\.0\.id/);
    const spec = { id: 'a', stage: 'ocr', task: 't', files: [{ path: 'a.onnx' }], license: 'MIT', source: 's', memoryEstimateBytes: 1 };
    expect(() => Manifest.from({ models: [spec, spec] })).toThrow(/unique/);
    expect(() => Manifest.from({ models: [spec] }).get('b')).toThrow(ModelError);
    const dir = modelsDir();
    writeFileSync(join(dir, 'manifest.json'), '{ not json');
    await expect(Manifest.load(join(dir, 'manifest.json'))).rejects.toThrow(/manifest is invalid/);
    expect(() => Manifest.from({ models: [{ ...spec, files: [{ package: 'no-such-package-xyz', path: 'm.onnx' }] }] }).resolveFile({ package: 'no-such-package-xyz', path: 'm.onnx' })).toThrow(/not installed/);
  });
});
