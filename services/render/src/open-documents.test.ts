import { describe, expect, it } from 'vitest';
import { multiPagePdf } from '@paperline/testing';
import { openDocument } from './open.js';
import { OpenDocuments } from './open-documents.js';

const closedOf = async (doc: Awaited<ReturnType<typeof openDocument>>) => {
  try {
    for await (const page of doc.pages([1])) void page;
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'SHUTTING_DOWN';
  }
};

describe('OpenDocuments', () => {
  it('keeps the most recently kept documents open, closes the oldest beyond capacity, and never one taken out', async () => {
    const open = new OpenDocuments(2);
    const docs = await Promise.all([1, 2, 3, 4].map(() => openDocument(multiPagePdf(2), 'application/pdf')));
    await open.keep('a', docs[0]!);
    await open.keep('b', docs[1]!);
    // 'a' renders its next slice: out of the cache meanwhile, so two others kept do not close it
    expect(open.take('a')).toBe(docs[0]);
    await open.keep('c', docs[2]!);
    await open.keep('d', docs[3]!);
    expect(await closedOf(docs[0]!)).toBe(false);
    expect(await closedOf(docs[1]!)).toBe(true);
    expect(open.size).toBe(2);
    await open.keep('a', docs[0]!);
    expect(await closedOf(docs[2]!)).toBe(true);
    expect(open.take('b')).toBeUndefined();
    await open.closeAll();
    expect(await closedOf(docs[0]!)).toBe(true);
    expect(await closedOf(docs[3]!)).toBe(true);
    expect(open.size).toBe(0);
  });
});
