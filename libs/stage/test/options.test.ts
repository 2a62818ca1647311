import { describe, expect, it } from 'vitest';
import { silentLogger } from '@paperline/telemetry';
import { Lifecycle } from '../src/lifecycle.js';
import { parseAckSubject } from '../src/delivery.js';
import {
  StageError,
  StageErrorCodes,
  StageStates,
  backoffDelayMs,
  compileStageOptions,
  parseControlEntry,
  DEFAULT_BATCH_SIZE,
  DEFAULT_GRACE_MS,
  DEFAULT_MAX_BATCH_WAIT_MS,
  DEFAULT_MAX_INFLIGHT_BATCHES,
  DEFAULT_PAUSE_GRACE_MS,
} from '../src/index.js';

describe('compileStageOptions', () => {
  it('applies the documented defaults and freezes the result', () => {
    const o = compileStageOptions({ stage: 'ocr', instance: 'i1' });
    expect(o).toMatchObject({
      stage: 'ocr',
      instance: 'i1',
      batchSize: DEFAULT_BATCH_SIZE,
      maxBatchWaitMs: DEFAULT_MAX_BATCH_WAIT_MS,
      maxInflightBatches: DEFAULT_MAX_INFLIGHT_BATCHES,
      graceMs: DEFAULT_GRACE_MS,
      pauseGraceMs: DEFAULT_PAUSE_GRACE_MS,
      backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.2 },
      heartbeatMs: undefined,
      health: undefined,
      controlWatch: true,
    });
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.backoff)).toBe(true);
    expect(compileStageOptions({ stage: 'ocr', health: {} }).health).toEqual({ port: 0, host: '0.0.0.0' });
  });

  it.each([
    [{ batchSize: 0 }, /batchSize/],
    [{ batchSize: 2.5 }, /batchSize/],
    [{ maxInflightBatches: 0 }, /maxInflightBatches/],
    [{ maxBatchWaitMs: -1 }, /maxBatchWaitMs/],
    [{ graceMs: Number.NaN }, /graceMs/],
    [{ pauseGraceMs: -5 }, /pauseGraceMs/],
    [{ backoff: { initialMs: 10, maxMs: 5 } }, /backoff\.maxMs/],
    [{ backoff: { factor: 0.5 } }, /backoff\.factor/],
    [{ backoff: { jitter: 2 } }, /backoff\.jitter/],
    [{ health: { port: 70_000 } }, /health\.port/],
    [{ heartbeatMs: 1 }, /heartbeatMs/],
    [{ instance: '' }, /instance/],
    [{ stage: 'nope' }, /stage/],
  ])('rejects %j naming the key', (bad, key) => {
    const attempt = () => compileStageOptions({ stage: 'ocr', ...(bad as object) } as never);
    expect(attempt).toThrow(StageError);
    expect(attempt).toThrow(key);
  });
});

describe('backoffDelayMs', () => {
  it('grows by the factor per delivery, caps at maxMs, and jitters within the fraction', () => {
    const backoff = compileStageOptions({ stage: 'ocr', backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 } }).backoff;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(backoff, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const jittered = compileStageOptions({ stage: 'ocr', backoff: { initialMs: 1_000, jitter: 0.2 } }).backoff;
    expect(backoffDelayMs(jittered, 1, () => 0)).toBe(800);
    expect(backoffDelayMs(jittered, 1, () => 1)).toBe(1_200);
  });
});

describe('Lifecycle', () => {
  it('allows starting -> ready <-> paused -> draining -> stopped and notifies listeners', () => {
    const lifecycle = new Lifecycle(silentLogger());
    const seen: string[] = [];
    lifecycle.onChange((to, from) => seen.push(`${from}>${to}`));
    lifecycle.move(StageStates.READY, 't');
    lifecycle.move(StageStates.PAUSED, 't');
    lifecycle.move(StageStates.READY, 't');
    lifecycle.move(StageStates.DRAINING, 't');
    lifecycle.move(StageStates.STOPPED, 't');
    expect(seen).toEqual(['starting>ready', 'ready>paused', 'paused>ready', 'ready>draining', 'draining>stopped']);
  });

  it('throws on an illegal transition', () => {
    const lifecycle = new Lifecycle(silentLogger());
    expect(() => lifecycle.move(StageStates.STOPPED, 't')).toThrow(/starting -> stopped/);
    lifecycle.move(StageStates.READY, 't');
    lifecycle.move(StageStates.DRAINING, 't');
    expect(() => lifecycle.move(StageStates.READY, 't')).toThrow(StageError);
    lifecycle.move(StageStates.FAILED, 't');
    expect(() => lifecycle.move(StageStates.STOPPED, 't')).toThrow(/failed -> stopped/);
  });
});

describe('errors', () => {
  it('documents every code with a message and a STAGE_ prefix', () => {
    for (const [key, value] of Object.entries(StageErrorCodes)) {
      expect(value.code).toBe(`STAGE_${key}`);
      expect(value.message.length).toBeGreaterThan(10);
    }
    const error = new StageError('NOT_BOUND', 'PL_WORK/ocr-high');
    expect(error).toMatchObject({ name: 'StageError', code: 'STAGE_NOT_BOUND' });
    expect(error.message).toContain('PL_WORK/ocr-high');
  });
});

describe('wire parsing', () => {
  it('parses v1 and v2 JetStream ack subjects', () => {
    expect(parseAckSubject('$JS.ACK.PL_WORK.ocr-high.3.42.40.1700000000000000000.7')).toEqual({ stream: 'PL_WORK', consumer: 'ocr-high', deliveryCount: 3, streamSequence: 42, pending: 7 });
    expect(parseAckSubject('$JS.ACK.hub.ACC.PL_WORK.ocr-high.1.5.5.1700000000000000000.0.tok')).toMatchObject({ stream: 'PL_WORK', deliveryCount: 1, streamSequence: 5 });
    expect(parseAckSubject('_INBOX.x')).toBeUndefined();
  });

  it('parses control flags, ignoring unknown keys and malformed values', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    expect(parseControlEntry('stage.ocr.paused', enc(true), 1)).toEqual({ kind: 'paused', stage: 'ocr', value: true, revision: 1 });
    expect(parseControlEntry('stage.ocr.concurrency', enc(4), 2)).toMatchObject({ kind: 'concurrency', value: 4 });
    expect(parseControlEntry('stage.ocr.batchSize', undefined, 3)).toMatchObject({ kind: 'batchSize', value: undefined });
    expect(parseControlEntry('feature.table.enabled', enc(false), 4)).toMatchObject({ kind: 'feature', feature: 'table', value: false });
    expect(parseControlEntry('stage.ocr.concurrency', enc(0), 5)).toBeUndefined();
    expect(parseControlEntry('stage.ocr.paused', enc('yes'), 6)).toBeUndefined();
    expect(parseControlEntry('stage.nope.paused', enc(true), 7)).toBeUndefined();
  });
});
