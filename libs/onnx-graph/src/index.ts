export { decodeModel, encodeModel, type ModelData, type GraphData, type NodeData, type TensorData, type AttributeData, type DecodeOptions, type ExternalRef } from './model.js';
export { simplifyForInference, type SimplifyReport, type SimplifyResult, type SimplifyOptions } from './simplify.js';
export { readModelSkeleton, readExternal, DEFAULT_MIN_EXTERNAL_BYTES, type ModelSkeleton } from './external.js';
export { prepareModelFile, type PrepareOptions, type PreparedModel } from './prepare.js';
export { WireError } from './wire.js';
export { encodeOnnxModel, writeOnnxModel, floatData, type OnnxGraph, type OnnxNode, type OnnxInitializer, type OnnxValueInfo, type OnnxDim } from './build.js';
export type { OnnxType } from './model.js';
