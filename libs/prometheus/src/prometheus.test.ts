import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locatePrometheus, startPrometheus, type LocalPrometheus } from './index.js';

const binary = await locatePrometheus({ log: (line) => console.warn(`prometheus: ${line}`) });
if (!binary) console.warn('SKIPPED: no Prometheus found and Debian\'s prometheus package could not be unpacked (apt-get install prometheus, or set PROMETHEUS_BIN)');

describe.skipIf(!binary)('a local Prometheus', () => {
  let target: Server;
  let prometheus: LocalPrometheus;
  beforeAll(async () => {
    target = createServer((_req, res) => res.end('# TYPE pl_test_value gauge\npl_test_value{kind="answer"} 42\n'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    prometheus = await startPrometheus({ binary: binary!, jobs: [{ job: 'fixture', targets: [`127.0.0.1:${(target.address() as AddressInfo).port}`] }] });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    target?.close();
  });

  it('scrapes its targets and answers instant queries through /api/v1/query', async () => {
    await prometheus.waitForTargets(30_000);
    const deadline = Date.now() + 30_000;
    let values: unknown[] = [];
    while (values.length === 0 && Date.now() < deadline) {
      values = (await prometheus.query('pl_test_value{job="fixture"}')).result;
      if (values.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(values).toHaveLength(1);
    expect((values[0] as { value: { value: number } }).value.value).toBe(42);
    expect((await prometheus.query('pl_no_such_metric')).result).toEqual([]);
  });
});
