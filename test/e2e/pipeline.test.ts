// End to end through the embedded pipeline: a real nats-server, every stage in this process,
// the client submitting generated documents, as a user's `paperline parse` would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Buckets, LedgerSchema, DocSubmitSchema, MsgIds, ObjectNames, ObjectStores, ParsedDocumentSchema, Subjects, encode, isPaperlineError } from '@paperline/contracts';
import { Bus } from '@paperline/bus';
import { JobStore } from '@paperline/jobs';
import { PaperlineClient, isClientError } from '@paperline/client';
import { silentLogger } from '@paperline/telemetry';
import { buildPdf, encryptedPdf, hugePngHeader, multiPagePdf, textImage, truncatedPdf } from '@paperline/testing';
import { startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';

const PAGE_LIMIT = 25;

describe('the pipeline end to end', () => {
  let pipeline: LocalPipeline;
  let client: PaperlineClient;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({ log: silentLogger(), overrides: { render: { maxPages: PAGE_LIMIT } } });
    client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await pipeline?.close();
  });

  async function parse(bytes: Uint8Array, fileName: string) {
    const docId = await client.submit(bytes, { fileName });
    const job = await client.wait(docId, { timeoutMs: 120_000 });
    return { docId, job };
  }

  /** What a client without the pre-checks (another language, a raw NATS publisher) would send. */
  async function submitRaw(bytes: Uint8Array, fileName: string, mediaType: string) {
    const bus = await Bus.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    try {
      const docId = `raw${Date.now()}${Math.floor(Math.random() * 1e6)}`;
      const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const, 'json' as const] };
      await (await JobStore.open(bus)).create({ docId, fileName, options });
      await bus.putObject(ObjectStores.documents, ObjectNames.document(docId), bytes);
      const submit = { v: 1 as const, docId, object: ObjectNames.document(docId), fileName, mediaType, bytes: bytes.length, options, submittedAt: new Date().toISOString() };
      await bus.publish(Subjects.submit, encode(DocSubmitSchema, submit), { msgId: MsgIds.submit(docId) });
      return await client.wait(docId, { timeoutMs: 60_000 });
    } finally {
      await bus.close();
    }
  }

  it('a 3-page PDF with known text comes back with that text, in order, from the text layer', async () => {
    const pages = [1, 2, 3].map((n) => ({
      texts: [
        { text: `Chapter ${n}: Findings`, x: 72, y: 80, size: 20, font: 'Helvetica-Bold' as const },
        { text: `The quick brown fox number ${n} jumps over the lazy dog.`, x: 72, y: 130 },
        { text: `Second sentence on page ${n} stays in order.`, x: 72, y: 146 },
      ],
    }));
    const { docId, job } = await parse(buildPdf(pages), 'three-pages.pdf');
    expect(job.status).toBe('completed');
    expect(job.pageCount).toBe(3);
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    const expected = [1, 2, 3].flatMap((n) => [`# Chapter ${n}: Findings`, `The quick brown fox number ${n} jumps over the lazy dog.`, `Second sentence on page ${n} stays in order.`]);
    let at = -1;
    for (const line of expected) {
      const found = md.indexOf(line.replace(/^# /, ''), at + 1);
      expect(found, `"${line}" after position ${at} in:\n${md}`).toBeGreaterThan(at);
      at = found;
    }
    expect(md).toMatch(/^#{1,2} Chapter 1: Findings$/m);
    const json = ParsedDocumentSchema.parse(JSON.parse(new TextDecoder().decode(await client.result(docId, 'json'))));
    expect(json.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(json.pages.flatMap((p) => p.blocks).every((b) => b.source === 'text-layer')).toBe(true);
  });

  it('the stages read a document\'s records in pl-jobs from the stream leader, never by a direct get that any replica may answer', async () => {
    const docId = `leader-reads-${Date.now()}`;
    const observer = await Bus.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    try {
      // the stages' requests, seen by a subscriber of their API subjects (one server: each reaches it)
      const reads = { direct: 0, leader: 0 };
      observer.nc.subscribe(`$JS.API.DIRECT.GET.KV_${Buckets.jobs}.>`, { callback: (_error, msg) => void (msg.subject.includes(docId) && reads.direct++) });
      observer.nc.subscribe(`$JS.API.STREAM.MSG.GET.KV_${Buckets.jobs}`, { callback: (_error, msg) => void (msg.string().includes(docId) && reads.leader++) });
      const completed = new Promise<void>((resolve) => observer.nc.subscribe(Subjects.docCompleted, { callback: (_error, msg) => void (msg.string().includes(docId) && resolve()) }));
      await observer.nc.flush();
      // submitted without a status read of the client's own (client.wait starts with one)
      await client.submit(buildPdf([{ texts: [{ text: 'Page one', x: 72, y: 80 }] }, { texts: [{ text: 'Page two', x: 72, y: 80 }] }]), { fileName: 'leader.pdf', docId });
      await completed;
      await observer.nc.flush();
      expect(reads.direct).toBe(0);
      expect(reads.leader).toBeGreaterThan(0);
    } finally {
      await observer.close();
    }
  });

  it('figures are kept with the document and linked from its Markdown', async () => {
    const pdf = buildPdf([
      {
        texts: [
          { text: 'A page with a figure', x: 72, y: 80, size: 18, font: 'Helvetica-Bold' as const },
          { text: 'Figure 1: a gradient.', x: 72, y: 330, size: 9 },
        ],
        images: [{ x: 72, y: 110, w: 240, h: 200, pixelWidth: 64, pixelHeight: 48 }],
      },
    ]);
    const { docId, job } = await parse(pdf, 'figure.pdf');
    expect(job.status).toBe('completed');
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    const link = /!\[[^\]]*\]\((assets\/[^)]+\.png)\)/.exec(md)?.[1];
    expect(link, md).toBeDefined();
    const assets = await client.assets(docId);
    expect(assets.map((a) => `assets/${a.name}`)).toContain(link);
    // a real PNG of the figure's size at the page DPI
    const png = assets[0]!.data;
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(new DataView(png.buffer, png.byteOffset).getUint32(16)).toBeGreaterThan(100);
  });

  it('an image of known text comes back with that text through OCR', async () => {
    const png = await textImage(['Invoice number 4711', 'Total amount due 1250 EUR'], 'png');
    const { docId, job } = await parse(png, 'invoice.png');
    expect(job.status).toBe('completed');
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    expect(md).toContain('Invoice number 4711');
    expect(md).toContain('Total amount due 1250 EUR');
    const json = ParsedDocumentSchema.parse(JSON.parse(new TextDecoder().decode(await client.result(docId, 'json'))));
    expect(json.pages[0]?.blocks.some((b) => b.source === 'ocr')).toBe(true);
    // the ocr stage holds its models through the ModelManager, under leases of the memory budget
    const ocrStatus = pipeline.runtimes.get('ocr')?.status()['handler'] as { models: string[] };
    expect(ocrStatus.models).toEqual(expect.arrayContaining(['ppocr-det-ch-v4', 'ppocr-rec-ch-v4']));
    const ledgers = await client.bus.kv(Buckets.memory);
    const leased: string[] = [];
    for await (const key of await ledgers.keys('ledger.>')) {
      const entry = await ledgers.get(key);
      if (entry?.value.length) leased.push(...Object.values(LedgerSchema.parse(entry.json()).leases).map((l) => `${l.stage}:${l.model}`));
    }
    expect(leased).toEqual(expect.arrayContaining(['ocr:ppocr-det-ch-v4', 'ocr:ppocr-rec-ch-v4']));
  }, 180_000);

  it('20 documents submitted at once all complete, none mixed up with another', async () => {
    const docs = Array.from({ length: 20 }, (_, i) => ({
      name: `doc-${i}.pdf`,
      token: `Marker${i}X${(i * 7919) % 1000}`,
    }));
    const submitted = await Promise.all(
      docs.map(async (d) => ({
        ...d,
        docId: await client.submit(buildPdf([{ texts: [{ text: `Document ${d.token} first page`, x: 72, y: 100 }] }, { texts: [{ text: `Closing ${d.token} second page`, x: 72, y: 100 }] }]), { fileName: d.name }),
      })),
    );
    for (const d of submitted) {
      const job = await client.wait(d.docId, { timeoutMs: 180_000 });
      expect(job.status, d.name).toBe('completed');
      const md = new TextDecoder().decode(await client.result(d.docId, 'md'));
      expect(md).toContain(`Document ${d.token} first page`);
      expect(md).toContain(`Closing ${d.token} second page`);
      for (const other of docs) if (other.token !== d.token) expect(md).not.toContain(other.token + ' ');
    }
  }, 180_000);

  describe('bad input gives a clear error and the pipeline serves the next document', () => {
    const good = () => buildPdf([{ texts: [{ text: 'Still serving after bad input', x: 72, y: 100 }] }]);

    async function expectFailure(bytes: Uint8Array, fileName: string, code: string) {
      let reason: string;
      try {
        const { job } = await parse(bytes, fileName);
        expect(job.status).toBe('failed');
        expect(job.error?.code).toBe(code);
        reason = job.error?.reason ?? '';
      } catch (error) {
        // the client may refuse it before it reaches the pipeline: that is the clear error too
        if (!isClientError(error) && !isPaperlineError(error)) throw error;
        if (isPaperlineError(error)) expect(error.code).toBe(code);
        reason = error.message;
      }
      expect(reason.length).toBeGreaterThan(10);
      const next = await parse(good(), 'next.pdf');
      expect(next.job.status).toBe('completed');
      return reason;
    }

    it('a zero-byte file', async () => {
      expect(await expectFailure(new Uint8Array(0), 'empty.pdf', 'EMPTY_FILE')).toMatch(/empty/i);
      // and past the client's own check, the render stage refuses it the same way
      const job = await submitRaw(new Uint8Array(0), 'empty.pdf', 'application/pdf');
      expect(job.error).toMatchObject({ stage: 'render', code: 'EMPTY_FILE' });
    });
    it('a truncated PDF', async () => {
      expect(await expectFailure(truncatedPdf(), 'truncated.pdf', 'CORRUPT_PDF')).toMatch(/corrupt|truncated/i);
    });
    it('an encrypted PDF', async () => {
      expect(await expectFailure(encryptedPdf(), 'secret.pdf', 'ENCRYPTED_PDF')).toMatch(/encrypted|password/i);
    });
    it('a text file named .pdf', async () => {
      const notes = new TextEncoder().encode('just some notes, not a PDF at all\n');
      expect(await expectFailure(notes, 'notes.pdf', 'UNSUPPORTED_MEDIA_TYPE')).toMatch(/pdf|media|type/i);
      const job = await submitRaw(notes, 'notes.pdf', 'application/pdf');
      expect(job.status).toBe('failed');
      expect(job.error?.stage).toBe('render');
      expect(job.error?.reason).toMatch(/pdf|media|type/i);
    });
    it('a 30000x30000 PNG (pixel limit)', async () => {
      expect(await expectFailure(hugePngHeader(30000, 30000), 'huge.png', 'IMAGE_TOO_LARGE')).toMatch(/pixel/i);
    });
    it('a PDF over the configured page limit', async () => {
      expect(await expectFailure(multiPagePdf(PAGE_LIMIT + 5), 'long.pdf', 'TOO_MANY_PAGES')).toMatch(/page/i);
    });
  });
});
