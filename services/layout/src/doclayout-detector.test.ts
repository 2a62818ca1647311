import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThreadSessionFactory, type RemoteSession } from '@paperline/models';
import { docLayoutModel, writeOnnxModel } from '@paperline/testing';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDetections, DocLayoutDetector, suppressOverlaps, toInputPlanes, type Detection, type DocLayoutArchitecture } from './doclayout-detector.js';

const factory = new ThreadSessionFactory();
afterAll(() => factory.close());

/** A real session of a generated model, handed out the way the ModelManager does. */
async function detectorFor(architecture: DocLayoutArchitecture, height: number, width: number) {
  const path = join(mkdtempSync(join(tmpdir(), 'pl-doclayout-')), 'model.onnx');
  writeOnnxModel(path, docLayoutModel({ architecture, height, width }));
  const session: RemoteSession = await factory.create([path], 'cpu');
  let acquired = 0;
  const models = {
    acquire: async () => {
      acquired += 1;
      return { model: 'm', device: 'cpu', session, release: () => void (acquired -= 1) };
    },
  };
  return { detector: new DocLayoutDetector(models, { modelId: 'm', architecture, height, width }), held: () => acquired };
}

const page = (r: number, g: number, b: number) => sharp({ create: { width: 320, height: 200, channels: 3, background: { r, g, b } } }).png().toBuffer();

describe('PP-DocLayout pre-processing and decoding (generated models of the same signature)', () => {
  it('GFL (S, M): RGB, ImageNet mean/std, scale_factor [H/origH, W/origW]; rows past the count ignored', async () => {
    const { detector, held } = await detectorFor('picodet-gfl', 32, 48);
    const result = await detector.detect(await page(200, 100, 50));
    expect([result.width, result.height]).toEqual([320, 200]);
    const [m0, m1, m2] = [(200 / 255 - 0.485) / 0.229, (100 / 255 - 0.456) / 0.224, (50 / 255 - 0.406) / 0.225];
    const text = result.detections.find((d) => d.label === 'text')!;
    const table = result.detections.find((d) => d.label === 'table')!;
    // network box [12, 4, 36, 12] of 48x32 over sw = 48/320, sh = 32/200
    expect(text.bbox.map((v) => Number(v.toFixed(3)))).toEqual([80, 25, 240, 75]);
    expect(text).toMatchObject({ type: 'text' });
    expect(text.score).toBeCloseTo(0.95, 6);
    table.bbox.forEach((v, i) => expect(v).toBeCloseTo([100 + 10 * m0, 100 + 10 * m1, 200 + 10 * m2, 150][i]!, 3));
    expect(result.detections.map((d) => d.label).sort()).toEqual(['table', 'text']);
    expect(held()).toBe(0);
  });

  it('RT-DETR (L, plus-L): BGR, /255 only, im_shape [H, W] of the network input', async () => {
    const { detector } = await detectorFor('rt-detr', 32, 48);
    const result = await detector.detect(await page(200, 100, 50));
    const table = result.detections.find((d) => d.label === 'table')!;
    table.bbox.forEach((v, i) => expect(v).toBeCloseTo([100 + (10 * 50) / 255, 100 + (10 * 100) / 255, 200 + (10 * 200) / 255, 150 + 32][i]!, 3));
    expect(result.detections.find((d) => d.label === 'text')!.bbox.map((v) => Number(v.toFixed(3)))).toEqual([80, 25, 240, 75]);
  });

  it('planes: the exact normalisation per architecture', () => {
    const rgb = Uint8Array.from([255, 0, 51]);
    expect([...toInputPlanes(rgb, 1, 1, 'rt-detr')].map((v) => Number(v.toFixed(4)))).toEqual([0.2, 0, 1]);
    const gfl = toInputPlanes(rgb, 1, 1, 'picodet-gfl');
    expect(gfl[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(gfl[1]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(gfl[2]).toBeCloseTo((0.2 - 0.406) / 0.225, 5);
  });

  it('decoding: threshold, padding rows, clamping, and per-class suppression of overlaps', () => {
    const rows = [
      [2, 0.9, 10, 10, 110, 60], // text
      [2, 0.8, 12, 12, 112, 62], // the same text again (IoU > 0.5)
      [2, 0.7, 20, 20, 60, 40], // inside the first text: a duplicate
      [8, 0.85, 10, 10, 110, 60], // a table on the same spot: another class, kept
      [2, 0.3, 200, 200, 250, 250], // below the threshold
      [-1, 0, 0, 0, 0, 0], // padding
      [0, 0.9, -5, 150, 400, 180], // clamped to the image
    ].flat();
    const found = decodeDetections(rows, 7, { width: 300, height: 200 });
    expect(found.map((d: Detection) => [d.label, d.type, d.bbox])).toEqual([
      ['text', 'text', [10, 10, 110, 60]],
      ['paragraph_title', 'heading', [0, 150, 300, 180]],
      ['table', 'table', [10, 10, 110, 60]],
    ]);
    expect(suppressOverlaps([])).toEqual([]);
  });
});
