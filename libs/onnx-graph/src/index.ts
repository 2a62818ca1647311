export { decodeModel, encodeModel, floatTensor, floatAttribute, intAttribute, intsAttribute, node, TensorTypes, type ModelData, type GraphData, type NodeData, type TensorData, type AttributeData } from './model.js';
export { simplifyForInference, type SimplifyReport, type SimplifyResult } from './simplify.js';
export { WireError, chunks, concat, varint, intField, bytesField, stringField, floatField, packedInts, type Chunks } from './wire.js';
export { encodeOnnxModel, writeOnnxModel, floatData, OnnxTypes, type OnnxGraph, type OnnxNode, type OnnxInitializer, type OnnxValueInfo, type OnnxDim, type OnnxType } from './build.js';
