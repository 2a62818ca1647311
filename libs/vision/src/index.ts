export * from './geometry.js';
export * from './reading-order.js';
export * from './reading-order-blocks.js';
export * from './text-join.js';
export * from './table-regions.js';
export * from './raster-rulings.js';
