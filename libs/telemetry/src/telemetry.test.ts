import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { childLogger, createLogger, repeatedKeys } from './logger.js';
import { createMetrics, getMetrics } from './metrics.js';

const monitoringDoc = new URL('../../../docs/monitoring.md', import.meta.url);

describe('metrics', () => {
  it('registers exactly the pl_* metrics that docs/monitoring.md documents', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const registered = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    // a histogram's series (_bucket, _sum, _count) count as the histogram
    const mentioned = readFileSync(monitoringDoc, 'utf8').match(/\bpl_[a-z_]+[a-z]\b/g) ?? [];
    const documented = [...new Set(mentioned.map((name) => name.replace(/_(bucket|sum|count)$/, '')))].sort();
    expect(registered).toEqual(documented);
  });

  it("keeps one registry per process, with the process metrics beside paperline's", async () => {
    const metrics = getMetrics();
    expect(getMetrics()).toBe(metrics);
    metrics.stageMessages.inc({ stage: 'ocr', outcome: 'ack' }, 3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pl_stage_messages_total{stage="ocr",outcome="ack"} 3');
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line with the level by name, an ISO time and the base fields, and honours the level', () => {
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = createLogger({ level: 'info', base: { service: 'ocr', instance: 'i-1' }, destination });
    log.child({ docId: 'd-1', stage: 'ocr' }).warn({ page: 2 }, 'slow page');
    log.debug('not written at info');
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', service: 'ocr', instance: 'i-1', docId: 'd-1', stage: 'ocr', page: 2, msg: 'slow page' });
    expect(new Date(lines[0]!['time'] as string).toISOString()).toBe(lines[0]!['time']);
  });
});

describe('childLogger and repeatedKeys', () => {
  it('binds only what the parent lacks, so each key appears once in a line; repeatedKeys finds a repeat that JSON.parse hides', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString().trim()), done()) });
    const log = createLogger({ level: 'info', base: { service: 'ocr', instance: 'ocr-1' }, destination: sink });
    const runtime = childLogger(log, { stage: 'ocr', instance: 'ocr-1' });
    childLogger(runtime, { stage: 'ocr', instance: 'ocr-1', docId: 'd-1' }).info({ page: 2, nested: { stage: 'x' } }, 'page done');
    log.child({ instance: 'again' }).info('repeated');
    expect(repeatedKeys(lines[0]!)).toEqual([]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'ocr', instance: 'ocr-1', stage: 'ocr', docId: 'd-1', page: 2 });
    expect(repeatedKeys(lines[1]!)).toEqual(['instance']);
    expect(repeatedKeys('{"a":"x\\"y","b":{"a":1},"c":[{"a":2}]}')).toEqual([]);
  });
});
