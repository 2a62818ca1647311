// pdfjs's worker (parsing, fonts, image decoding: most of its CPU) on a worker thread, so the
// stages that share this process (NATS, layout, assemble in the embedded mode) keep the main
// thread and the two run on two cores. One thread serves every document (pdfjs multiplexes them
// over one port); it keeps the process alive only while a document is open, and is replaced when
// it dies.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PDFWorker } from './pdfjs.js';

/**
 * Plain JavaScript (no loader needed in any context: tests, tsx, a build): puts back the builtins
 * that the legacy build's core-js polyfills replace (see pdfjs.ts), and serves the port it is given.
 */
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const saved = [[Array.prototype, 'push'], [JSON, 'stringify'], [JSON, 'parse'], [Function.prototype, 'toString']].map(([o, k]) => [o, k, o[k]]);
import(workerData.workerUrl).then(({ WorkerMessageHandler }) => {
  for (const [o, k, v] of saved) o[k] = v;
  WorkerMessageHandler.initializeFromPort(workerData.port);
});
`;

interface Thread {
  worker: PDFWorker;
  port: MessagePort;
  users: number;
}

let shared: Thread | undefined;

/** A lease on the shared pdfjs worker thread, started on first use; release it when the document is closed. */
export interface PdfjsLease {
  readonly worker: PDFWorker;
  release(): void;
}

export function acquirePdfjsThread(workerUrl: string): PdfjsLease {
  const thread = shared && !shared.worker.destroyed ? shared : (shared = startThread(workerUrl));
  if (thread.users++ === 0) thread.port.ref();
  let released = false;
  return {
    worker: thread.worker,
    release() {
      if (released) return;
      released = true;
      if (--thread.users === 0) thread.port.unref();
    },
  };
}

function startThread(workerUrl: string): Thread {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { workerUrl, port: port2 }, transferList: [port2], execArgv: [] });
  const pdfWorker = new PDFWorker({ port: port1 as never });
  const thread: Thread = { worker: pdfWorker, port: port1, users: 0 };
  // the port is ref'd while documents are open; the thread itself never holds the process
  worker.unref();
  port1.unref();
  const drop = () => {
    if (shared === thread) shared = undefined;
    pdfWorker.destroy();
    port1.close();
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  return thread;
}
