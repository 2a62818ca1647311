// The inference thread: sessions created and run in a worker, errors carried back, the stage's
// event loop free while a long inference runs, and a dead thread replaced.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { scaleModel, writeOnnxModel, type OnnxGraph } from '@paperline/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { modelsDir } from '../test/fixtures.js';
import { ModelError, OnnxSessionFactory, ThreadSessionFactory, type InferenceRunner } from './index.js';

/** y = x·W·W·…·W (`depth` times): seconds of CPU in one run() call, for the blocking test. */
function slowModel(size: number, depth: number): OnnxGraph {
  const w = new Float32Array(size * size).fill(1 / size);
  const names = Array.from({ length: depth + 1 }, (_, i) => (i === 0 ? 'x' : i === depth ? 'y' : `h${i}`));
  return {
    inputs: [{ name: 'x', type: 'float', shape: [size, size] }],
    outputs: [{ name: 'y', type: 'float', shape: [size, size] }],
    nodes: names.slice(1).map((out, i) => ({ op: 'MatMul', inputs: [names[i]!, 'w'], outputs: [out] })),
    initializers: [{ name: 'w', type: 'float', dims: [size, size], data: new Uint8Array(w.buffer) }],
  };
}

/** The longest the event loop went without running a 5 ms timer while `work` ran, and how long it ran. */
async function longestStall(work: () => Promise<unknown>): Promise<{ stallMs: number; workMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  await work();
  const workMs = performance.now() - started;
  stallMs = Math.max(stallMs, performance.now() - last);
  clearInterval(timer);
  return { stallMs, workMs };
}

/** Both kinds of session: in this thread (ort's) and in the inference thread. */
type Runnable = Pick<InferenceRunner, 'inputNames'> & { run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> };

const run = (session: Runnable, size: number) => session.run({ x: new ort.Tensor('float32', new Float32Array(size * size).fill(1), [size, size]) });

describe('ThreadSessionFactory', () => {
  const dir = modelsDir();
  const scalePath = join(dir, 'scale.onnx');
  const slowPath = join(dir, 'slow.onnx');
  writeOnnxModel(scalePath, scaleModel());
  writeOnnxModel(slowPath, slowModel(512, 200));
  const factory = new ThreadSessionFactory({ intraOpThreads: 1 });
  afterAll(() => factory.close());

  it('creates a session in the thread and runs it there', async () => {
    const session = await factory.create([scalePath], 'cpu');
    expect([session.inputNames, session.outputNames]).toEqual([['x'], ['y']]);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]) });
    expect(out['y']?.dims).toEqual([1, 4]);
    expect([...(out['y']?.data as Float32Array)]).toEqual([2, 4, 6, 8]);
    await factory.release(session);
    await expect(session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) })).rejects.toThrow(/not loaded/);
  });

  it('returns an output as its argmax and max over the last axis when asked', async () => {
    const session = await factory.create([scalePath], 'cpu');
    const x = new ort.Tensor('float32', Float32Array.from([1, 5, 5, 2, -3, -1, -2, -4]), [2, 4]);
    const out = await session.run({ x }, { maxOverLastAxis: ['y'] });
    expect(Object.keys(out).sort()).toEqual(['y.argmax', 'y.max']);
    expect(out['y.argmax']).toMatchObject({ type: 'int32', dims: [2] });
    // the first of equal maxima wins, as in a greedy CTC decode
    expect([...(out['y.argmax']!.data as Int32Array)]).toEqual([1, 1]);
    expect([...(out['y.max']!.data as Float32Array)]).toEqual([10, -2]);
    // x's buffer moved to the thread with the first run: reusing it is an error, not a run that never ends
    await expect(session.run({ x }, { maxOverLastAxis: ['y'] })).rejects.toThrow(/moved to the inference thread/);
    const again = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]);
    await expect(session.run({ x: again }, { maxOverLastAxis: ['nope'] })).rejects.toThrow(/nope/);
    await factory.release(session);
  });

  it('keeps the event loop turning during a long inference, which run() in this thread blocks', async () => {
    const remote = await factory.create([slowPath], 'cpu');
    const local = await new OnnxSessionFactory({ intraOpThreads: 1 }).create([slowPath], 'cpu');
    const inThread = await longestStall(() => run(remote, 512));
    const here = await longestStall(() => run(local, 512));
    await local.release();
    await factory.release(remote);
    // the same work blocks this thread for (nearly) its whole duration when run here
    expect(here.stallMs).toBeGreaterThan(here.workMs * 0.8);
    expect(inThread.workMs).toBeGreaterThan(100);
    expect(inThread.stallMs).toBeLessThan(inThread.workMs / 3);
  });

  it('carries load and run errors back with their codes', async () => {
    const error = await factory.create([join(dir, 'missing.onnx')], 'cpu').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'LOAD_FAILED', message: expect.stringContaining('missing.onnx') });
    const session = await factory.create([scalePath], 'cpu');
    await expect(session.run({ wrong: new ort.Tensor('float32', new Float32Array(4), [1, 4]) })).rejects.toThrow(/wrong|input/i);
    await factory.release(session);
  });

  it('fails the work of a thread that ended, and starts a new thread for the next model', async () => {
    const ending = new ThreadSessionFactory({ intraOpThreads: 1 });
    const slow = await ending.create([slowPath], 'cpu');
    const pending = run(slow, 512);
    await ending.close();
    await expect(pending).rejects.toMatchObject({ code: 'LOAD_FAILED', message: expect.stringContaining('inference thread') });
    await expect(run(slow, 512)).rejects.toThrow(/restarted/);
    const again = await ending.create([scalePath], 'cpu');
    expect([...((await again.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 1]), [1, 4]) }))['y']?.data as Float32Array)]).toEqual([2, 2, 2, 2]);
    await ending.close();
  });
});
