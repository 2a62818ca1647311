// The seam between OCR and model loading. Today: onnxruntime sessions built from the repo's
// models/manifest.json. When libs/models' ModelManager lands, `createOcrModelLoader` becomes
// `(id) => manager.acquire(id)`: the engine only sees `ModelLoader`.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PaperlineError } from '@paperline/contracts';
import * as ort from 'onnxruntime-node';

export type Tensor = ort.Tensor;

export interface LoadedModel {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

export type ModelLoader = (modelId: string) => Promise<LoadedModel>;

export interface ManifestEntry {
  id: string;
  files: { package: string; path: string; sha256: string; bytes: number }[];
  io: { inputs: { name: string }[]; outputs: { name: string }[]; dictionary?: string };
}

/** The repo's models/ folder (manifest and dictionaries). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
/** Two cores: one inference uses both; stages run one batch at a time. */
export const DEFAULT_INTRA_OP_THREADS = 2;

export async function readManifest(modelsDir: string = DEFAULT_MODELS_DIR): Promise<Map<string, ManifestEntry>> {
  const json = JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8')) as { models: ManifestEntry[] };
  return new Map(json.models.map((m) => [m.id, m]));
}

export interface OnnxLoaderOptions {
  modelsDir?: string;
  /** @default DEFAULT_INTRA_OP_THREADS */
  intraOpThreads?: number;
  /** Check each file's sha256 against the manifest before loading. @default true */
  verify?: boolean;
}

export function createOnnxModelLoader(options: OnnxLoaderOptions = {}): ModelLoader {
  const require = createRequire(import.meta.url);
  let manifest: Promise<Map<string, ManifestEntry>> | undefined;
  return async (modelId) => {
    manifest ??= readManifest(options.modelsDir);
    const entry = (await manifest).get(modelId);
    const file = entry?.files[0];
    if (!entry || !file) throw new PaperlineError('MODEL_UNAVAILABLE', `${modelId} is not in the manifest`);
    let bytes: Buffer;
    try {
      bytes = await readFile(packageFile(require, file.package, file.path));
    } catch (cause) {
      throw new PaperlineError('MODEL_UNAVAILABLE', `${modelId}: ${file.package}/${file.path} is not installed`, { cause });
    }
    if (options.verify !== false && createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
      throw new PaperlineError('MODEL_UNAVAILABLE', `${modelId}: sha256 of ${file.path} does not match the manifest`);
    }
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // input shapes change with every batch: memory patterns would only be recomputed
      enableMemPattern: false,
      // other processes share the cores: spinning threads would only steal time from them
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return {
      run: (feeds) => session.run(feeds),
      release: () => session.release(),
    };
  };
}

/** Packages may not export their model files, so look them up in the node_modules search path. */
function packageFile(require: NodeRequire, pkg: string, path: string): string {
  for (const base of require.resolve.paths(pkg) ?? []) {
    const candidate = join(base, pkg, path);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${pkg}/${path} not found`);
}

export function tensor(data: Float32Array, dims: number[]): Tensor {
  return new ort.Tensor('float32', data, dims);
}
