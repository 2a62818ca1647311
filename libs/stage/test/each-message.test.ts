import { describe, expect, it } from 'vitest';
import { silentLogger } from '@paperline/telemetry';
import { handleEachMessage } from '../src/each-message.js';
import type { StageMessage } from '../src/types.js';

const message = (data: number): StageMessage<number> => ({
  data,
  subject: 'pl.work.table.normal',
  priority: 'normal',
  streamSequence: data,
  deliveryCount: 1,
  headers: {},
  docId: undefined,
  log: silentLogger(),
});

describe('handleEachMessage', () => {
  it('gives each message its own outcome, in order, one at a time: a throw fails only its own message', async () => {
    let running = 0;
    const outcomes = await handleEachMessage([1, 2, 3].map(message), async ({ data }) => {
      running++;
      expect(running).toBe(1);
      await Promise.resolve();
      running--;
      if (data === 2) throw new Error('bad region');
      return [{ subject: `out.${data}`, data: new Uint8Array([data]), msgId: `m${data}` }];
    });
    expect(outcomes.map((o) => ('error' in o ? (o.error as Error).message : o.outputs[0]!.subject))).toEqual(['out.1', 'bad region', 'out.3']);
  });
});
