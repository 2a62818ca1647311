// The inference thread's side (see inference-thread.ts): sessions live here, so that
// onnxruntime-node's synchronous run() blocks this thread and never the stage's event loop.
import { parentPort } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { ModelError } from './errors.js';
import { buffersOf, fromWire, toWire, withMaxOverLastAxis, type WorkerReply, type WorkerRequest } from './inference-wire.js';
import { OnnxSessionFactory } from './session-factory.js';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread only');

let factory: OnnxSessionFactory | undefined;
const sessions = new Map<number, ort.InferenceSession>();
let nextHandle = 1;

function session(handle: number): ort.InferenceSession {
  const found = sessions.get(handle);
  if (!found) throw new ModelError('LOAD_FAILED', `session ${handle} is not loaded in the inference thread`);
  return found;
}

async function serve(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.op) {
    case 'init':
      factory = new OnnxSessionFactory(request.options);
      return { id: request.id, ok: true };
    case 'create': {
      if (!factory) throw new Error('the inference thread was not initialised');
      const created = await factory.create(request.files, request.provider);
      const handle = nextHandle++;
      sessions.set(handle, created);
      return { id: request.id, ok: true, handle, inputNames: created.inputNames, outputNames: created.outputNames };
    }
    case 'run': {
      const outputs = await session(request.handle).run(fromWire(request.feeds));
      return { id: request.id, ok: true, outputs: toWire(withMaxOverLastAxis(outputs, request.maxOverLastAxis)) };
    }
    case 'release': {
      const released = sessions.get(request.handle);
      sessions.delete(request.handle);
      if (released) await factory?.release(released);
      return { id: request.id, ok: true };
    }
  }
}

port.on('message', (request: WorkerRequest) => {
  serve(request).then(
    (reply) => port.postMessage(reply, reply.ok && reply.outputs ? buffersOf(reply.outputs) : []),
    (error: unknown) => {
      const e = error as Partial<ModelError> & Error;
      port.postMessage({ id: request.id, ok: false, error: { name: e.name, message: e.message, code: e.code, detail: e.detail } } satisfies WorkerReply);
    },
  );
});
