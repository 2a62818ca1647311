// The model-free backend: vector rulings (born-digital) or rulings found in the crop (scans),
// plus word alignment, give the cell grid.
import type { TableBackend, TableInput } from './backend.js';
import { buildGrid, DEFAULT_GRID_OPTIONS, type GridOptions } from './grid.js';
import { DEFAULT_RASTER_RULING_OPTIONS, findRasterRulings, type RasterRulingOptions } from '@paperline/vision';
import type { TableStructure } from './structure.js';

export class RulesTableBackend implements TableBackend {
  readonly name = 'rules';

  constructor(
    private readonly grid: GridOptions = DEFAULT_GRID_OPTIONS,
    private readonly raster: RasterRulingOptions = DEFAULT_RASTER_RULING_OPTIONS,
  ) {}

  async recognise(input: TableInput): Promise<TableStructure | undefined> {
    const rulings = input.rulings ?? (input.crop ? findRasterRulings(await input.crop.gray(), input.crop.origin, this.raster) : []);
    return buildGrid({ bbox: input.bbox, words: input.words, rulings }, this.grid);
  }

  async release(): Promise<void> {}

  loaded(): string[] {
    return [];
  }
}
