import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
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
