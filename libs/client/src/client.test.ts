import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import {
  DocSubmitSchema,
  ObjectNames,
  ObjectStores,
  Streams,
  Subjects,
  consumerName,
  decode,
} from '@paperline/contracts';
import { startTestServer, updateJobRecord, type TestServer } from '@paperline/testing';
import { PaperlineClient } from './client.js';
import { ClientError } from './errors.js';

const PDF = new TextEncoder().encode('%PDF-1.4\n%fake but with the right magic\n');

describe('PaperlineClient', () => {
  let server: TestServer;
  let bus: Bus;
  let client: PaperlineClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    client = new PaperlineClient({ bus, maxFileBytes: 1024 });
    server.defer(() => client.close());
  });
  afterEach(async () => server.reset());

  it('submits: a queued job record, the stored bytes and one submit message', async () => {
    const docId = await client.submit(PDF, { fileName: 'a.pdf', options: { pageRange: { from: 1, to: 2 } } });
    expect(docId).toMatch(/^[A-Za-z0-9]{16}$/);
    const job = await client.status(docId);
    expect(job).toMatchObject({ docId, fileName: 'a.pdf', status: 'queued', pageCount: null, pagesDone: [] });
    expect(Buffer.from(await bus.getObject(ObjectStores.documents, ObjectNames.document(docId)))).toEqual(Buffer.from(PDF));

    const consumer = await bus.js.consumers.get(Streams.docs, consumerName('render', 'normal'));
    const msg = await consumer.next({ expires: 2_000 });
    const submit = decode(DocSubmitSchema, msg!.data);
    expect(submit).toMatchObject({ docId, fileName: 'a.pdf', mediaType: 'application/pdf', bytes: PDF.length, options: { pageRange: { from: 1, to: 2 }, priority: 'normal' } });
    expect(msg!.headers?.get('Nats-Msg-Id')).toBe(`${docId}:submit`);
    msg!.ack();
  });

  it('submits a file by path under its base name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pl-client-'));
    try {
      await writeFile(join(dir, 'scan.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
      const docId = await client.submit(join(dir, 'scan.png'));
      expect((await client.status(docId)).fileName).toBe('scan.png');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses empty, oversized and non-document input before storing anything', async () => {
    await expect(client.submit(new Uint8Array(0), { fileName: 'empty.pdf' })).rejects.toMatchObject({ name: 'PaperlineError', code: 'EMPTY_FILE' });
    await expect(client.submit(new Uint8Array(2048).fill(0x25), { fileName: 'big.pdf' })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    await expect(client.submit(new TextEncoder().encode('hello, world'), { fileName: 'notes.txt', mediaType: 'application/pdf' })).rejects.toThrow(
      /unsupported media type: notes.txt \(declared application\/pdf, but the content is not\)/,
    );
    const info = await bus.jsm.streams.info(Streams.docs);
    expect(info.state.messages).toBe(0);
  });

  it.each([
    [`${'x'.repeat(600)}.pdf`, `${'x'.repeat(251)}.pdf`],
    ['../../etc/passwd.pdf', 'passwd.pdf'],
    ['C:\\Users\\me\\scan.pdf', 'scan.pdf'],
    ['evil\r\nSet-Cookie: x.pdf', 'evil__Set-Cookie_ x.pdf'],
    ['..', 'document'],
  ])('keeps the file name %j as the safe base name %j', async (sent, kept) => {
    const docId = await client.submit(PDF, { fileName: sent });
    expect((await client.status(docId)).fileName).toBe(kept);
  });

  it('rejects a duplicate document id', async () => {
    await client.submit(PDF, { fileName: 'a.pdf', docId: 'fixed-id-1' });
    await expect(client.submit(PDF, { fileName: 'b.pdf', docId: 'fixed-id-1' })).rejects.toMatchObject({ code: 'DUPLICATE_DOCUMENT_ID' });
  });

  it('reports unknown documents and results that are not ready', async () => {
    await expect(client.status('nope-nope')).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    await expect(client.status('../../etc')).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    const docId = await client.submit(PDF, { fileName: 'a.pdf' });
    const error = await client.result(docId, 'md').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'NOT_READY', job: { status: 'queued' } });
  });

  it('round trip: wait sees progress through the watch and resolves on completion; result returns the bytes', async () => {
    const docId = await client.submit(PDF, { fileName: 'a.pdf' });
    const seen: string[] = [];
    let watching!: () => void;
    const watched = new Promise<void>((resolve) => (watching = resolve));
    const waiting = client.wait(docId, {
      timeoutMs: 10_000,
      onProgress: (job) => {
        seen.push(`${job.status}:${job.pagesDone.length}/${job.pageCount}`);
        watching();
      },
    });
    await watched;

    await updateJobRecord(bus, docId, { status: 'running', pageCount: 2 });
    await updateJobRecord(bus, docId, { pagesDone: [1] });
    const md = new TextEncoder().encode('# Title\n');
    await bus.putObject(ObjectStores.outputs, ObjectNames.output(docId, 'md'), md);
    await updateJobRecord(bus, docId, { status: 'completed', pagesDone: [1, 2], outputs: { md: ObjectNames.output(docId, 'md') } });

    const job = await waiting;
    expect(job.status).toBe('completed');
    expect(seen).toEqual(['queued:0/null', 'running:0/2', 'running:1/2', 'completed:2/2']);
    expect(new TextDecoder().decode(await client.result(docId, 'md'))).toBe('# Title\n');
    await expect(client.result(docId, 'json')).rejects.toMatchObject({ code: 'OUTPUT_NOT_FOUND' });
  });

  it('wait resolves with the failure reason; result reports it', async () => {
    const docId = await client.submit(PDF, { fileName: 'a.pdf' });
    const waiting = client.wait(docId, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await updateJobRecord(bus, docId, { status: 'failed', error: { stage: 'render', code: 'ENCRYPTED_PDF', reason: 'the PDF is encrypted (password protected)' } });
    const job = await waiting;
    expect(job).toMatchObject({ status: 'failed', error: { stage: 'render', code: 'ENCRYPTED_PDF' } });
    await expect(client.result(docId, 'md')).rejects.toMatchObject({ code: 'DOCUMENT_FAILED', message: /ENCRYPTED_PDF: the PDF is encrypted/ });
  });

  it('wait times out, and close() ends a pending wait', async () => {
    const docId = await client.submit(PDF, { fileName: 'a.pdf' });
    await expect(client.wait(docId, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'WAIT_TIMEOUT' });
    const pending = client.wait(docId);
    await new Promise((r) => setTimeout(r, 100));
    await client.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    await expect(client.status(docId)).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });

  it('a failed store leaves no queued record behind', async () => {
    const jsm = bus.jsm;
    await jsm.streams.delete(`OBJ_${ObjectStores.documents}`);
    await expect(client.submit(PDF, { fileName: 'a.pdf', docId: 'orphan-1' })).rejects.toMatchObject({ code: 'SUBMIT_FAILED' });
    await expect(client.status('orphan-1')).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    expect(Subjects.submit).toBe('pl.docs.submit');
  });
});
