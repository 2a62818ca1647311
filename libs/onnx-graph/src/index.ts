export { decodeModel, encodeModel, type ModelData, type GraphData, type NodeData, type TensorData, type AttributeData } from './model.js';
export { simplifyForInference, type SimplifyReport, type SimplifyResult } from './simplify.js';
export { WireError } from './wire.js';
export { encodeOnnxModel, writeOnnxModel, floatData, type OnnxGraph, type OnnxNode, type OnnxInitializer, type OnnxValueInfo, type OnnxDim } from './build.js';
export type { OnnxType } from './model.js';
