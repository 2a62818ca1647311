import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropRaster } from './crops.js';

const RED = { r: 255, g: 0, b: 0 };

async function rgb(png: Uint8Array): Promise<{ width: number; height: number; at: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x, y) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] };
}

describe('cropRaster', () => {
  const page = { width: 100, height: 100 };

  it('cuts a box from a raster of the whole page', async () => {
    const raster = await sharp({ create: { width: 100, height: 100, channels: 3, background: RED } }).png().toBuffer();
    const [crop] = await cropRaster(raster, [[10.5, 20, 30, 40.2]], page);
    const image = await rgb(crop!);
    expect([image.width, image.height]).toEqual([20, 21]);
  });

  it('places a raster that covers part of the page at its corner, with the white around it', async () => {
    // a 20x10 picture at (10, 10) of the page
    const raster = await sharp({ create: { width: 20, height: 10, channels: 3, background: RED } }).png().toBuffer();
    const [around, inside, outside, offPage] = await cropRaster(raster, [[5, 5, 35, 25], [12, 12, 18, 18], [50, 50, 60, 55], [120, 0, 130, 10]], page, [10, 10, 30, 20]);
    const a = await rgb(around!);
    expect([a.width, a.height]).toEqual([30, 20]);
    expect(a.at(0, 0)).toEqual([255, 255, 255]);
    expect(a.at(5, 5)).toEqual([255, 0, 0]);
    expect(a.at(24, 14)).toEqual([255, 0, 0]);
    expect(a.at(25, 15)).toEqual([255, 255, 255]);
    const i = await rgb(inside!);
    expect([i.width, i.height, ...i.at(3, 3)]).toEqual([6, 6, 255, 0, 0]);
    const o = await rgb(outside!);
    expect([o.width, o.height, ...o.at(4, 2)]).toEqual([10, 5, 255, 255, 255]);
    expect(offPage).toBeUndefined();
  });

  it('hands on the raster itself for a box that is exactly its rectangle, and cuts one a pixel smaller', async () => {
    const raster = new Uint8Array(await sharp({ create: { width: 20, height: 10, channels: 3, background: RED } }).png().toBuffer());
    const [exact, smaller] = await cropRaster(raster, [[10, 10, 30, 20], [10, 10, 29, 20]], page, [10, 10, 30, 20]);
    expect(exact).toBe(raster);
    expect(smaller).not.toBe(raster);
    const s = await rgb(smaller!);
    expect([s.width, s.height, ...s.at(18, 9)]).toEqual([19, 10, 255, 0, 0]);
    // the whole of a raster of the whole page
    const whole = new Uint8Array(await sharp({ create: { width: 100, height: 100, channels: 3, background: RED } }).png().toBuffer());
    expect((await cropRaster(whole, [[0, 0, 100, 100]], page))[0]).toBe(whole);
  });
});
