import { describe, expect, it } from 'vitest';
import { chooseRotation, orientationProbe, probeQuad, readingQuad } from './orientation.js';
import { quadFromBox, quadSize, type Quad } from './quad.js';

describe('page orientation', () => {
  const lying = (y: number, length: number): Quad => quadFromBox([0, y, length, y + 20]);
  const standing = (x: number, length: number): Quad => quadFromBox([x, 0, x + 20, length]);

  it('probes upright or upside down when most lines lie, a quarter turn either way when most stand', () => {
    expect(orientationProbe([lying(0, 400), lying(40, 900), standing(0, 300)])).toEqual({ candidates: [0, 180], sample: [1, 0] });
    expect(orientationProbe([standing(0, 400), standing(40, 900), lying(0, 300)], { sampleLines: 1 })).toEqual({ candidates: [90, 270], sample: [1] });
    expect(orientationProbe([quadFromBox([0, 0, 30, 30])])).toBeUndefined();
  });

  it('reads a standing line from the corner where its text starts', () => {
    const q = standing(100, 400);
    // turned a quarter clockwise: the text runs top to bottom and starts at the top right
    expect(readingQuad(q, 270)[0]).toEqual([120, 0]);
    // turned a quarter counter-clockwise: it runs bottom to top from the bottom left
    expect(readingQuad(q, 90)[0]).toEqual([100, 400]);
    expect(readingQuad(lying(0, 400), 180)[0]).toEqual([400, 20]);
  });

  it('cuts a probed line after eight heights', () => {
    const q = probeQuad(lying(0, 1000), 0);
    expect(quadSize(q)).toEqual({ width: 160, height: 20 });
    expect(probeQuad(lying(0, 100), 0)).toEqual(lying(0, 100));
  });

  it('turns upside down only on clearly better readings, and takes the better quarter turn', () => {
    expect(chooseRotation({ candidates: [0, 180], sample: [0] }, [[0.8], [0.83]])).toBe(0);
    expect(chooseRotation({ candidates: [0, 180], sample: [0] }, [[0.6], [0.9]])).toBe(180);
    expect(chooseRotation({ candidates: [90, 270], sample: [0] }, [[0.6], [0.62]])).toBe(270);
  });
});
