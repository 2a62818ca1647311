import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStores } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { Bus, BusError, OBJECT_CHUNK_BYTES, buildTopology, provisionTopology } from './index.js';

// one server and one bus for the file: every case writes objects of its own names
describe('Bus objects', () => {
  let server: TestServer;
  let bus: Bus;
  beforeAll(async () => {
    server = await startTestServer();
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    await provisionTopology(bus.nc, buildTopology());
  });
  afterAll(async () => {
    await bus?.close();
    await server?.stop();
  });

  it('reads objects of none, one and many chunks, written between the chunks of others, without a consumer', async () => {
    // 0, 1 and 4 chunks (the last one partial)
    const objects = { empty: new Uint8Array(0), one: randomBytes(1000), many: randomBytes(3 * OBJECT_CHUNK_BYTES + 17), other: randomBytes(2.5 * OBJECT_CHUNK_BYTES) };
    await Promise.all(Object.entries(objects).map(([name, data]) => bus.putObject(ObjectStores.pages, name, data)));
    // a newer version of a name: only its own chunks are read
    const newer = randomBytes(1.5 * OBJECT_CHUNK_BYTES);
    await bus.putObject(ObjectStores.pages, 'many', newer);
    const consumersBefore = (await bus.jsm.streams.info(`OBJ_${ObjectStores.pages}`)).state.consumer_count;
    const os = await bus.objects(ObjectStores.pages);
    for (const [name, data] of Object.entries({ ...objects, many: newer })) {
      expect(Buffer.from(await bus.getObject(ObjectStores.pages, name)).equals(data)).toBe(true);
      expect((await os.info(name))?.chunks).toBe(Math.ceil(data.length / OBJECT_CHUNK_BYTES));
    }
    expect((await bus.jsm.streams.info(`OBJ_${ObjectStores.pages}`)).state.consumer_count).toBe(consumersBefore);
  });

  it('refuses an object over maxBytes, a missing one, and one that lost a chunk', async () => {
    await bus.putObject(ObjectStores.pages, 'big', randomBytes(2 * OBJECT_CHUNK_BYTES));
    await expect(bus.getObject(ObjectStores.pages, 'big', { maxBytes: 1000 })).rejects.toMatchObject({ code: 'BUS_OBJECT_TOO_LARGE' });
    await expect(bus.getObject(ObjectStores.pages, 'nothing')).rejects.toMatchObject({ code: 'BUS_OBJECT_NOT_FOUND' });

    const stream = `OBJ_${ObjectStores.pages}`;
    const info = await (await bus.objects(ObjectStores.pages)).info('big');
    const first = await bus.jsm.direct.getMessage(stream, { next_by_subj: `$O.${ObjectStores.pages}.C.${info!.nuid}`, seq: 1 });
    await bus.jsm.streams.deleteMessage(stream, first!.seq);
    const lost = await bus.getObject(ObjectStores.pages, 'big').catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(BusError);
    expect(lost).toMatchObject({ code: 'BUS_OBJECT_NOT_FOUND' });
  });

  it('refuses an object whose chunk was replaced: the digest does not match', async () => {
    const data = randomBytes(2 * OBJECT_CHUNK_BYTES);
    await bus.putObject(ObjectStores.pages, 'changed', data);
    const stream = `OBJ_${ObjectStores.pages}`;
    const info = await (await bus.objects(ObjectStores.pages)).info('changed');
    const subject = `$O.${ObjectStores.pages}.C.${info!.nuid}`;
    const first = await bus.jsm.direct.getMessage(stream, { next_by_subj: subject, seq: 1 });
    // the same number of bytes, other content, in place of the first chunk (after the second)
    await bus.jsm.streams.deleteMessage(stream, first!.seq);
    await bus.js.publish(subject, randomBytes(OBJECT_CHUNK_BYTES));
    await expect(bus.getObject(ObjectStores.pages, 'changed')).rejects.toMatchObject({ code: 'BUS_OBJECT_CORRUPT' });
  });
});
