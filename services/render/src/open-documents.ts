// The documents render holds open between the slices of their pages: a document's next slice
// comes back through the queue after other documents had their turn, and parsing it again (or
// fetching its bytes again) for every slice would cost more than the slice. Few are kept: a
// slice that finds its document gone (evicted, or on another instance) opens it again.
import type { OpenedDocument } from './types.js';

export class OpenDocuments {
  private readonly open = new Map<string, OpenedDocument>();

  constructor(private readonly capacity: number) {}

  /**
   * The open document, taken out while its slice renders (so another document's `keep` cannot
   * evict and close it under that slice); `keep` or `close` it afterwards.
   */
  take(docId: string): OpenedDocument | undefined {
    const doc = this.open.get(docId);
    this.open.delete(docId);
    return doc;
  }

  /** Keeps `doc` open for its next slice; closes the least recently used one beyond capacity. */
  async keep(docId: string, doc: OpenedDocument): Promise<void> {
    this.open.delete(docId);
    this.open.set(docId, doc);
    while (this.open.size > this.capacity) {
      const [oldest, evicted] = this.open.entries().next().value as [string, OpenedDocument];
      this.open.delete(oldest);
      await evicted.close();
    }
  }

  /** Closes and forgets `docId`'s document (its last slice is done, or it failed). */
  async close(docId: string, doc: OpenedDocument): Promise<void> {
    if (this.open.get(docId) === doc) this.open.delete(docId);
    await doc.close();
  }

  has(docId: string): boolean {
    return this.open.has(docId);
  }

  /** Closes `docId`'s document if it is kept here. */
  async evict(docId: string): Promise<void> {
    await this.take(docId)?.close();
  }

  async closeAll(): Promise<void> {
    const docs = [...this.open.values()];
    this.open.clear();
    await Promise.all(docs.map((doc) => doc.close()));
  }

  get size(): number {
    return this.open.size;
  }
}
