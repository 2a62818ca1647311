export { createTableHandler, type TableHandlerDeps } from './handler.js';
export { tableStage, createTableStage, chooseTableModel, SLANET_MODELS, DEFAULT_TABLE_DICTS_DIR, type TableStage, type TableStageDeps } from './stage.js';
export { loadTableConfig, tableSchema, TABLE_BACKENDS, DEFAULT_TABLE_BATCH_SIZE, type TableConfig, type TableBackendChoice } from './config.js';
export { buildGrid, DEFAULT_GRID_OPTIONS, type GridInput, type GridOptions } from './grid.js';
export { tableHtml, tableGfm, tableText, hasSpans, type TableStructure, type TableRow, type TableCell } from './structure.js';
export { slanetInput, slanetResize, decodeStructure, structureTokens, structureToTable, SLANET_INPUT_SIZE } from './slanet.js';
export { RulesTableBackend } from './rules-backend.js';
export { SlanetTableBackend, type TableModelSource } from './slanet-backend.js';
export type { TableBackend, TableInput } from './backend.js';
