// Creates inference sessions on one execution provider at a time. The manager, not
// onnxruntime, decides on fallback: asking for cuda alone makes an unusable provider throw
// instead of silently running on cpu, so every fallback is seen, logged and counted.
import * as ort from 'onnxruntime-node';
import { parseDevice } from '@paperline/memory';
import { prepareModelFile } from '@paperline/onnx-graph';
import { ModelError } from './errors.js';

/** How the manager loads and frees sessions; the ONNX one below is the default. */
export interface SessionFactory<S> {
  /** `provider` is `cpu` or `cuda:<n>`. */
  create(files: readonly string[], provider: string): Promise<S>;
  release(session: S): Promise<void>;
}

export interface OnnxSessionFactoryOptions {
  /** Threads per operator; 0 lets onnxruntime choose. @default 0 */
  intraOpThreads?: number;
  /** @default 'all' */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Apply @paperline/onnx-graph's exact simplifications (scalar affines folded into convolutions,
   * hardswish as x * HardSigmoid(x)) before loading: the PP-OCR models run 1.3-2x faster on a CPU.
   * @default true
   */
  simplifyGraph?: boolean;
  /** Further onnxruntime session options a stage tunes for its models (memory patterns, spinning). */
  session?: Omit<ort.InferenceSession.SessionOptions, 'executionProviders'>;
}

export class OnnxSessionFactory implements SessionFactory<ort.InferenceSession> {
  constructor(private readonly options: OnnxSessionFactoryOptions = {}) {}

  async create(files: readonly string[], provider: string): Promise<ort.InferenceSession> {
    const [modelPath] = files;
    if (modelPath === undefined) throw new ModelError('FILE_MISSING', 'the model lists no file');
    const device = parseDevice(provider, 'local');
    const executionProviders: ort.InferenceSession.ExecutionProviderConfig[] = device.kind === 'cuda' ? [{ name: 'cuda', deviceId: device.index }] : ['cpu'];
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      ...this.options.session,
      executionProviders,
      graphOptimizationLevel: this.options.graphOptimization ?? 'all',
      ...(this.options.intraOpThreads ? { intraOpNumThreads: this.options.intraOpThreads } : {}),
    };
    try {
      // The weights stay in the model's files as external data, which onnxruntime memory-maps on
      // the CPU: a load costs the weights once (see docs/memory.md), not the file read, the
      // simplified copy and onnxruntime's parsed copy of them together. External data files of
      // the model itself are found through the same folder.
      const prepared = prepareModelFile(modelPath, { simplify: this.options.simplifyGraph !== false });
      const extra = (sessionOptions.extra ?? {}) as { session?: Record<string, unknown> };
      return await ort.InferenceSession.create(prepared.bytes, {
        ...sessionOptions,
        extra: { ...extra, session: { ...extra.session, model_external_initializers_file_folder_path: prepared.dir } },
      });
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? '';
      if (device.kind === 'cuda' && /provider|shared library|cuda/i.test(message)) {
        throw new ModelError('PROVIDER_UNAVAILABLE', `${provider}: ${message}`, { cause: error });
      }
      throw new ModelError('LOAD_FAILED', `${modelPath} on ${provider}: ${message}`, { cause: error });
    }
  }

  async release(session: ort.InferenceSession): Promise<void> {
    await session.release();
  }
}
