import { describe, expect, it } from 'vitest';
import { ErrorCodes, MsgIds, STAGES, consumerName, consumerSubject, encodeKeyToken } from './index.js';

describe('names', () => {
  it('gives every message of one document, page and region its own Nats-Msg-Id', () => {
    // PL_WORK dedups on Nats-Msg-Id across all its subjects: a task and its result must differ
    const ids = [
      MsgIds.submit('d1'),
      MsgIds.renderSlice('d1', 33),
      MsgIds.renderSlice('d1', 33, 1),
      MsgIds.page('d1', 1),
      MsgIds.layout('d1', 1),
      ...STAGES.flatMap((s) => [MsgIds.regionTask('d1', 1, 'r1', s), MsgIds.regionResult('d1', 1, 'r1', s), MsgIds.failure('d1', s, 1)]),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names consumers <stage>-<priority> on their own subjects', () => {
    expect(consumerName('ocr', 'high')).toBe('ocr-high');
    expect(consumerSubject('ocr', 'normal')).toBe('pl.work.ocr.normal');
    expect(consumerSubject('render', 'normal')).toBe('pl.docs.submit');
    // disjoint filters on one work-queue stream, so render drains high documents first
    expect(consumerSubject('render', 'high')).toBe('pl.docs.submit.high');
  });

  it('turns device and model names into valid KV key tokens', () => {
    for (const raw of ['cpu@node-1.example', 'cuda:0@gpu-host', 'ppocr en/v4']) expect(encodeKeyToken(raw)).toMatch(/^[-_=a-zA-Z0-9]+$/);
  });

  it('gives every error code a message and a retry decision', () => {
    for (const [code, spec] of Object.entries(ErrorCodes)) {
      expect(spec.message.length, code).toBeGreaterThan(5);
      expect(typeof spec.retryable).toBe('boolean');
    }
  });
});
