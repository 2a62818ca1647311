export * from './geometry.js';
export * from './reading-order.js';
export * from './reading-order-blocks.js';
