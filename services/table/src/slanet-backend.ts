// The SLANet / SLANet_plus backend, its model held through the ModelManager (device budget,
// reference counts, idle unload, eviction, pause) only while a region is read. A region without
// pixels (a born-digital page rendered without a raster) or whose structure has no cell is read
// by the model-free backend instead.
import { readFile } from 'node:fs/promises';
import type { InferenceRunner, ModelHandle } from '@paperline/models';
import * as ort from 'onnxruntime-node';
import type { TableBackend, TableInput } from './backend.js';
import { decodeStructure, SLANET_INPUT_SIZE, slanetInput, structureToTable, structureTokens } from './slanet.js';
import type { TableStructure } from './structure.js';

/** What the backend needs of the ModelManager. */
export interface TableModelSource {
  acquire(modelId: string): Promise<ModelHandle<InferenceRunner>>;
  unloadAll(reason: string): Promise<void>;
  status(): ReadonlyArray<{ model: string; device: string | undefined }>;
}

export interface SlanetBackendOptions {
  /** 'slanet' or 'slanet-plus' (the manifest id). */
  modelId: string;
  /** Path of the model's structure dictionary (models/dicts/table_structure_dict*.txt). */
  dictionaryPath: string;
  models: TableModelSource;
  /** Reads what the model cannot. */
  fallback: TableBackend;
}

export class SlanetTableBackend implements TableBackend {
  private tokens: Promise<string[]> | undefined;

  constructor(private readonly options: SlanetBackendOptions) {}

  get name(): string {
    return this.options.modelId;
  }

  async recognise(input: TableInput): Promise<TableStructure | undefined> {
    if (!input.crop) return this.options.fallback.recognise(input);
    const tokens = await this.dictionary();
    const { crop, ratio } = await input.crop.forSlanet();
    const x = new ort.Tensor('float32', slanetInput(crop), [1, 3, SLANET_INPUT_SIZE, SLANET_INPUT_SIZE]);
    const handle = await this.options.models.acquire(this.options.modelId);
    let outputs: Record<string, ort.Tensor>;
    try {
      outputs = await handle.session.run({ [handle.session.inputNames[0] ?? 'x']: x });
    } finally {
      handle.release();
    }
    // the exports name their outputs differently: the cell boxes are the one with 8 values a step
    const tensors = Object.values(outputs);
    const boxes = tensors.find((t) => t.dims[t.dims.length - 1] === 8);
    const probs = tensors.find((t) => t !== boxes);
    if (!boxes || !probs || probs.dims.length !== 3) throw new Error(`${this.options.modelId}: expected cell boxes [1,L,8] and structure probabilities [1,L,C], got ${tensors.map((t) => `[${t.dims.join(',')}]`).join(' ')}`);
    const decoded = decodeStructure(
      { probs: probs.data as Float32Array, steps: Number(probs.dims[1]), classes: Number(probs.dims[2]), boxes: boxes.data as Float32Array },
      tokens,
      ratio,
    );
    const table = structureToTable(decoded, input.words, input.crop.origin);
    return table.rows.length > 0 ? table : this.options.fallback.recognise(input);
  }

  async release(): Promise<void> {
    await this.options.models.unloadAll('table release');
  }

  loaded(): string[] {
    return this.options.models.status().flatMap((m) => (m.device ? [m.model] : []));
  }

  private dictionary(): Promise<string[]> {
    this.tokens ??= readFile(this.options.dictionaryPath, 'utf8').then(structureTokens);
    this.tokens.catch(() => (this.tokens = undefined));
    return this.tokens;
  }
}
