// The model manifest (models/manifest.json): what each model is, where its files come from,
// their checksums, and how much memory it is expected to need.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ModelError } from './errors.js';

export const ModelFileSchema = z.object({
  /** npm package holding the file; absent for hub-only models stored under the models dir. */
  package: z.string().min(1).optional(),
  /** Inside the package, or relative to the models dir (PL_MODELS_DIR). */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  bytes: z.number().int().min(0).optional(),
  /** Direct download of this file (`paperline models fetch`); without it, the mirror of models.baseUrl. */
  url: z.string().url().optional(),
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

export const DEVICE_KINDS = ['cuda', 'cpu'] as const;

export const ModelSpecSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'model ids are [A-Za-z0-9_-]+ (they become KV key tokens)'),
  stage: z.string().min(1),
  task: z.string().min(1),
  files: z.array(ModelFileSchema).min(1),
  license: z.string().min(1),
  source: z.string().min(1),
  /** Upstream page of the weights, where known (hub-only models are fetched from there). */
  url: z.string().url().optional(),
  /** Free-form IO contract (input/output names, shapes, normalisation). */
  io: z.record(z.string(), z.unknown()).default({}),
  /** Used to reserve budget until a footprint has been measured. */
  memoryEstimateBytes: z.number().int().positive(),
  /** Devices the model may run on, most preferred first. */
  devices: z.array(z.enum(DEVICE_KINDS)).min(1).default(['cuda', 'cpu']),
  /** May the model run on cpu when no GPU can take it. */
  cpuFallback: z.boolean().default(true),
});
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

export const ManifestSchema = z
  .object({ models: z.array(ModelSpecSchema) })
  .refine((m) => new Set(m.models.map((s) => s.id)).size === m.models.length, 'model ids must be unique');
export type ManifestData = z.infer<typeof ManifestSchema>;

export interface ManifestOptions {
  /** Where hub-only model files live (config PL_MODELS_DIR). @default the manifest's directory */
  modelsDir?: string;
  /** npm packages are resolved from here. @default the manifest's directory */
  resolveFrom?: string;
}

/** Checksums already verified, by path, size and mtime: a file is hashed once per process. */
const verified = new Map<string, string>();

export class Manifest {
  private readonly byId: Map<string, ModelSpec>;

  constructor(
    readonly data: ManifestData,
    private readonly options: Required<ManifestOptions>,
  ) {
    this.byId = new Map(data.models.map((m) => [m.id, m]));
  }

  static async load(path: string, options: ManifestOptions = {}): Promise<Manifest> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new ModelError('MANIFEST_INVALID', `${path}: ${(error as Error).message}`, { cause: error });
    }
    return Manifest.from(json, { modelsDir: options.modelsDir ?? dirname(resolve(path)), resolveFrom: options.resolveFrom ?? dirname(resolve(path)) });
  }

  static from(json: unknown, options: ManifestOptions = {}): Manifest {
    const parsed = ManifestSchema.safeParse(json);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new ModelError('MANIFEST_INVALID', detail, { cause: parsed.error });
    }
    const cwd = process.cwd();
    return new Manifest(parsed.data, { modelsDir: options.modelsDir ?? cwd, resolveFrom: options.resolveFrom ?? cwd });
  }

  get models(): readonly ModelSpec[] {
    return this.data.models;
  }

  get(id: string): ModelSpec {
    const spec = this.byId.get(id);
    if (!spec) throw new ModelError('UNKNOWN_MODEL', `'${id}' (known: ${[...this.byId.keys()].join(', ') || 'none'})`);
    return spec;
  }

  /** Where a hub-only file lives under the models dir (present or not). */
  localPath(file: ModelFile): string {
    return isAbsolute(file.path) ? file.path : join(this.options.modelsDir, file.path);
  }

  /** Absolute path of one file: inside its npm package, or under the models dir. */
  resolveFile(file: ModelFile): string {
    const path = file.package ? join(packageDir(file.package, this.options.resolveFrom), file.path) : this.localPath(file);
    if (!existsSync(path)) throw new ModelError('FILE_MISSING', file.package ? `${file.path} in npm package ${file.package} (${path})` : `${path} (set PL_MODELS_DIR or fetch the model)`);
    return path;
  }

  /** Whether every file of the model is where resolveFile looks (hub-only models are often absent). */
  isPresent(spec: ModelSpec): boolean {
    try {
      for (const file of spec.files) this.resolveFile(file);
      return true;
    } catch (error) {
      if (error instanceof ModelError && error.code === 'FILE_MISSING') return false;
      throw error;
    }
  }

  /** Absolute paths of a model's files, checked against their sha256 the first time when asked. */
  async resolveFiles(spec: ModelSpec, options: { verify?: boolean } = {}): Promise<string[]> {
    const paths: string[] = [];
    for (const file of spec.files) {
      const path = this.resolveFile(file);
      if (options.verify && file.sha256) await verifyChecksum(path, file.sha256);
      paths.push(path);
    }
    return paths;
  }
}

function packageDir(name: string, from: string): string {
  const require = createRequire(join(from, 'noop.js'));
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // a package whose exports hide package.json: walk the lookup paths ourselves
    for (const dir of require.resolve.paths(name) ?? []) {
      if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
    }
    throw new ModelError('FILE_MISSING', `npm package ${name} is not installed (looked from ${from})`);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function verifyChecksum(path: string, expected: string): Promise<void> {
  const info = await stat(path);
  const key = `${path}:${info.size}:${info.mtimeMs}`;
  if (verified.get(key) === expected) return;
  const actual = await sha256File(path);
  if (actual !== expected) throw new ModelError('CHECKSUM_MISMATCH', `${path}: expected ${expected}, got ${actual}`);
  verified.set(key, actual);
}
