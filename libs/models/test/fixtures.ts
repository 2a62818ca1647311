// Generated models and manifests for the models tests: real ONNX files with known sizes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOnnxModel, largeModel, scaleModel, writeOnnxModel } from '@paperline/testing';
import { Manifest, type ModelSpec } from '../src/index.js';

export interface FixtureModel {
  id: string;
  /** Size of the weight table; 0 for a tiny scale model. */
  tableBytes?: number;
  memoryEstimateBytes: number;
  devices?: ModelSpec['devices'];
  cpuFallback?: boolean;
  /** Write garbage instead of a model (load failure). */
  corrupt?: boolean;
  /** Give a wrong sha256. */
  badChecksum?: boolean;
  /** Leave the file out. */
  missing?: boolean;
}

export function modelsDir(): string {
  return mkdtempSync(join(tmpdir(), 'pl-models-'));
}

/** Writes the models into dir and returns a manifest for them (paths relative to dir). */
export function fixtureManifest(dir: string, models: FixtureModel[]): Manifest {
  const specs = models.map((m) => {
    const file = `${m.id}.onnx`;
    const path = join(dir, file);
    if (!m.missing) {
      if (m.corrupt) writeFileSync(path, 'not an onnx model');
      else if (m.tableBytes) writeOnnxModel(path, largeModel({ bytes: m.tableBytes }));
      else writeFileSync(path, encodeOnnxModel(scaleModel()));
    }
    const sha256 = m.missing ? '0'.repeat(64) : m.badChecksum ? 'f'.repeat(64) : createHash('sha256').update(readFileSync(path)).digest('hex');
    return {
      id: m.id,
      stage: 'ocr',
      task: 'test',
      files: [{ path: file, sha256 }],
      license: 'Apache-2.0',
      source: 'generated',
      io: { inputs: m.tableBytes ? ['ids'] : ['x'] },
      memoryEstimateBytes: m.memoryEstimateBytes,
      devices: m.devices ?? ['cpu'],
      cpuFallback: m.cpuFallback ?? true,
    };
  });
  return Manifest.from({ models: specs }, { modelsDir: dir });
}
