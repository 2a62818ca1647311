// Settings of the models lib (convict schema, merged into each model-using service's schema).
import { fileURLToPath } from 'node:url';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PROVIDERS } from './model-manager.js';

/** The repository's manifest, found from this file (src or dist) so the working directory does not matter. */
export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../../../models/manifest.json', import.meta.url));

function providerList(value: unknown): void {
  for (const p of String(value).split(',').map((s) => s.trim())) {
    if (!/^(cpu|cuda(:\d+)?)$/.test(p)) throw new Error(`'${p}' is not cpu or cuda:<n>`);
  }
}

export const modelsSchema = {
  models: {
    manifest: { doc: 'Path of the model manifest.', format: String, default: DEFAULT_MANIFEST_PATH, env: 'PL_MODELS_MANIFEST' },
    dir: { doc: 'Directory of hub-only model files (manifest paths without a package are relative to it). Empty: the manifest directory.', format: String, default: '', env: 'PL_MODELS_DIR' },
    baseUrl: { doc: 'A mirror serving model files at <baseUrl>/<manifest path>, for `paperline models fetch` of files without their own url. Empty: none.', format: String, default: '', env: 'PL_MODELS_BASE_URL' },
    providers: { doc: 'Execution providers in order of preference, comma-separated (cuda:<n>, cpu).', format: providerList, default: DEFAULT_PROVIDERS.join(','), env: 'PL_MODEL_PROVIDERS' },
    cpuFallback: { doc: 'Run a model on cpu when no GPU can take it (if its manifest entry allows).', format: Boolean, default: true, env: 'PL_MODEL_CPU_FALLBACK' },
    idleTimeoutMs: { doc: 'Unload a model nobody used for this long; 0 keeps idle models until evicted.', format: 'nat', default: DEFAULT_IDLE_TIMEOUT_MS, env: 'PL_MODEL_IDLE_TIMEOUT_MS' },
    simplifyGraph: { doc: 'Simplify each model graph before loading it (exact: scalar affines folded into convolutions, hardswish as x*HardSigmoid(x)); 1.3-2x faster PP-OCR on a CPU.', format: Boolean, default: true, env: 'PL_MODEL_SIMPLIFY_GRAPH' },
    verifyChecksums: { doc: 'Check model files against their manifest sha256 on first load.', format: Boolean, default: true, env: 'PL_MODEL_VERIFY_SHA256' },
  },
} as const;

export interface ModelsConfig {
  models: { manifest: string; dir: string; baseUrl: string; providers: string; cpuFallback: boolean; idleTimeoutMs: number; simplifyGraph: boolean; verifyChecksums: boolean };
}

export function providersOf(config: ModelsConfig): string[] {
  return config.models.providers.split(',').map((p) => p.trim()).filter(Boolean);
}
