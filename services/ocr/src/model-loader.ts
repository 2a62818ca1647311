// Where the OCR engine gets its models. In a stage they come from the ModelManager (libs/models):
// loaded lazily within the device's memory budget, shared by reference, unloaded when idle,
// evicted or paused. Tools without a NATS bus (the corpus evaluation, unit tests) use
// `directModels`: the same manifest and session factory, without a budget.
import { fileURLToPath } from 'node:url';
import { DEFAULT_MANIFEST_PATH, Manifest, ThreadSessionFactory, type InferenceRunner, type InferenceRunOptions, type ModelManager, type OnnxSessionFactoryOptions, type RemoteSession } from '@paperline/models';
import * as ort from 'onnxruntime-node';

export type Tensor = ort.Tensor;

/** One acquisition of a model: run it, then release it (the model stays loaded while others hold it). */
export interface LoadedModel {
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>, options?: InferenceRunOptions): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

export interface ModelSource {
  acquire(modelId: string): Promise<LoadedModel>;
  /** Ids of the models loaded now (for /status). */
  loaded(): string[];
  /** Unloads every model (pause, shutdown); the next acquire loads again. */
  unloadAll(): Promise<void>;
}

/** The repo's models/ folder (manifest and dictionaries). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
/** Two cores: one inference uses both; stages run one batch at a time. */
export const DEFAULT_INTRA_OP_THREADS = 2;

/** Session settings tuned for the PP-OCR models on a shared CPU. */
export function ocrSessionOptions(intraOpThreads = DEFAULT_INTRA_OP_THREADS, memArena = true): OnnxSessionFactoryOptions {
  return {
    intraOpThreads,
    session: {
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // input shapes change with every batch: memory patterns would only be recomputed
      enableMemPattern: false,
      // the arena goes with the session: a paused stage gives its activations' memory back (docs/memory.md)
      enableCpuMemArena: memArena,
      // other processes share the cores: spinning threads would only steal time from them
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    },
  };
}

/** Models through the stage's ModelManager (budget, reference counts, idle unload, eviction). */
export function managedModels(manager: ModelManager<InferenceRunner>): ModelSource {
  return {
    async acquire(modelId) {
      const handle = await manager.acquire(modelId);
      return {
        outputNames: handle.session.outputNames,
        run: (feeds, runOptions) => handle.session.run(feeds, runOptions),
        release: async () => handle.release(),
      };
    },
    loaded: () => manager.status().flatMap((m) => (m.device ? [m.model] : [])),
    unloadAll: () => manager.unloadAll('ocr release'),
  };
}

export interface DirectModelsOptions {
  /** @default the repository's models/manifest.json */
  manifestPath?: string;
  sessions?: OnnxSessionFactoryOptions;
}

/** Models loaded on cpu (in an inference thread) straight from the manifest and kept until unloadAll: for tools without a bus. */
export function directModels(options: DirectModelsOptions = {}): ModelSource {
  const factory = new ThreadSessionFactory(options.sessions ?? ocrSessionOptions());
  let manifest: Promise<Manifest> | undefined;
  const sessions = new Map<string, Promise<RemoteSession>>();
  const load = async (modelId: string) => {
    manifest ??= Manifest.load(options.manifestPath ?? DEFAULT_MANIFEST_PATH);
    const m = await manifest;
    return factory.create(await m.resolveFiles(m.get(modelId), { verify: true }), 'cpu');
  };
  return {
    async acquire(modelId) {
      let session = sessions.get(modelId);
      if (!session) {
        session = load(modelId);
        sessions.set(modelId, session);
        session.catch(() => sessions.delete(modelId));
      }
      const ready = await session;
      return { outputNames: ready.outputNames, run: (feeds, runOptions) => ready.run(feeds, runOptions), release: async () => undefined };
    },
    loaded: () => [...sessions.keys()],
    async unloadAll() {
      const held = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(held.map(async (s) => factory.release(await s)));
    },
  };
}

export function tensor(data: Float32Array, dims: number[]): Tensor {
  return new ort.Tensor('float32', data, dims);
}
