// OnnxSessionFactory leaves the weights in the model's files for onnxruntime to map: a model
// with its weights in a data file beside it loads (and is simplified), the mapped weights are
// the model files' pages, and the footprint counts the ones no run has read in yet.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { readModelSkeleton } from '@paperline/onnx-graph';
import { largeModel, writeOnnxModel } from '@paperline/testing';
import { mappedNotResident } from './measure.js';
import { OnnxSessionFactory } from './session-factory.js';
import { modelsDir } from '../test/fixtures.js';

const TABLE_BYTES = 8 * 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function rows(session: ort.InferenceSession): Promise<number[]> {
  const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from([1n, 300n]), [2]) });
  const data = out['rows']!.data as Float32Array;
  return [data[0]!, data[256 + 3]!];
}

describe('OnnxSessionFactory', () => {
  it('maps the weights from the model file and counts them in the footprint until a run reads them', async () => {
    const dir = modelsDir();
    dirs.push(dir);
    const path = join(dir, 'table.onnx');
    writeOnnxModel(path, largeModel({ bytes: TABLE_BYTES, sums: true }));
    const factory = new OnnxSessionFactory();
    expect(await mappedNotResident([path])).toBe(0);
    const session = await factory.create([path], 'cpu');
    try {
      // the table is mapped, and hardly any of it was read to load it
      expect(await mappedNotResident([path])).toBeGreaterThan(0.9 * TABLE_BYTES);
      const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]), axes: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]) });
      expect(out['sums']?.dims).toEqual([1, 256]);
      // a run that read every weight leaves nothing outstanding
      expect(await mappedNotResident([path])).toBeLessThan(0.01 * TABLE_BYTES);
    } finally {
      await factory.release(session);
    }
    expect(await mappedNotResident([path])).toBe(0);
  });

  it('loads a model whose weights are in a data file beside it', async () => {
    const dir = modelsDir();
    dirs.push(dir);
    const data = join(dir, 'table.data.onnx');
    writeOnnxModel(data, largeModel({ bytes: TABLE_BYTES }));
    // a model file that keeps its table in the other file: what an exporter's external data looks like
    const model = join(dir, 'table.onnx');
    writeFileSync(model, readModelSkeleton(data).bytes);
    for (const simplifyGraph of [true, false]) {
      const factory = new OnnxSessionFactory({ simplifyGraph });
      const session = await factory.create([model, data], 'cpu');
      try {
        expect(await rows(session)).toEqual([Math.fround((256 % 251) / 251), Math.fround(((300 * 256 + 3) % 251) / 251)]);
      } finally {
        await factory.release(session);
      }
    }
  });
});
