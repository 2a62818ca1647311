// What a table backend is given and gives: a region's words, rulings and pixels in; its cell
// structure out, or undefined when the region holds no table it can read.
import type { BBox, Ruling, TextLine } from '@paperline/contracts';
import type { RegionCrop } from './crop.js';
import type { TableStructure } from './structure.js';

export interface TableInput {
  /** Page pixels. */
  bbox: BBox;
  words: readonly TextLine[];
  /** Vector rulings of a born-digital page; absent on scans. */
  rulings: readonly Ruling[] | undefined;
  /** The region's pixels, when the page has a raster of its content. */
  crop: RegionCrop | undefined;
}

export interface TableBackend {
  /** 'rules', 'slanet', 'slanet-plus': reported in /status and in each block's source. */
  readonly name: string;
  recognise(input: TableInput): Promise<TableStructure | undefined>;
  /** Unloads the backend's models (pause, shutdown). */
  release(): Promise<void>;
  /** Model ids loaded now. */
  loaded(): string[];
}
