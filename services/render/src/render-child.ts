// The render process: opens documents and renders their pages for one render stage (forked by
// RenderProcess), so that a native fault in an engine or in sharp (SIGSEGV, abort, OOM kill) ends
// this process and one document's attempt, not the stage. It answers one request at a time, in
// order; it ends when the stage closes the channel or dies.
import { parseChildRequest, toWireError, type ChildReply, type ChildRequest } from './child-protocol.js';
import { openDocument } from './open.js';
import type { OpenedDocument, RenderedPage } from './types.js';

const documents = new Map<number, OpenedDocument>();
let nextHandle = 1;

async function answer(request: ChildRequest): Promise<ChildReply> {
  switch (request.op) {
    case 'open': {
      const doc = await openDocument(request.bytes, request.mediaType, request.options);
      const handle = nextHandle++;
      documents.set(handle, doc);
      return { op: 'opened', id: request.id, handle, format: doc.format, kind: doc.kind, pageCount: doc.pageCount };
    }
    case 'page':
      return { op: 'page', id: request.id, page: await renderPage(request.handle, request.page) };
    case 'close': {
      const doc = documents.get(request.handle);
      documents.delete(request.handle);
      await doc?.close();
      return { op: 'closed', id: request.id };
    }
  }
}

async function renderPage(handle: number, page: number): Promise<RenderedPage> {
  const doc = documents.get(handle);
  if (!doc) throw new Error(`no open document ${handle}`);
  for await (const rendered of doc.pages([page])) return rendered;
  throw new Error(`page ${page} was not rendered`);
}

function send(reply: ChildReply): Promise<void> {
  return new Promise((resolve, reject) => process.send!(reply, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

// requests are answered in order: the stage asks for one page ahead, and pages of a PDF share the engine
let queue: Promise<void> = Promise.resolve();
process.on('message', (message: unknown) => {
  queue = queue.then(async () => {
    let request: ChildRequest;
    try {
      request = parseChildRequest(message);
    } catch (error) {
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id === 'number') await send({ op: 'error', id, error: toWireError(error) });
      return;
    }
    let reply: ChildReply;
    try {
      reply = await answer(request);
    } catch (error) {
      reply = { op: 'error', id: request.id, error: toWireError(error) };
    }
    await send(reply);
  }).catch(() => process.exit(1));
});
// the stage closed the channel (release, shutdown) or died: nothing is left to render for
process.on('disconnect', () => process.exit(0));
// Ctrl-C in a terminal reaches the whole process group: the stage drains, and it ends this process
// when it is done with it (or this one ends when the stage dies)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
