// A model file made ready for onnxruntime: its large weights left in the file for onnxruntime to
// memory-map, then (optionally) simplified. Nothing here holds the weights: the simplifier reads
// only the convolution weights it folds, and those become the (rewritten) inline tensors.
import { DEFAULT_MIN_EXTERNAL_BYTES, readExternal, readModelSkeleton } from './external.js';
import { simplifyForInference, type SimplifyReport } from './simplify.js';

export interface PrepareOptions {
  /** Apply simplifyForInference. @default true */
  simplify?: boolean;
  /** Initializers with at least this many bytes stay in the file. @default DEFAULT_MIN_EXTERNAL_BYTES (64 KiB) */
  minExternalBytes?: number;
}

export interface PreparedModel {
  /** Model bytes to give onnxruntime, with `session.model_external_initializers_file_folder_path` = `dir`. */
  bytes: Uint8Array;
  dir: string;
  /** Absent when simplification was not asked for. */
  report?: SimplifyReport;
}

export function prepareModelFile(path: string, options: PrepareOptions = {}): PreparedModel {
  const skeleton = readModelSkeleton(path, options.minExternalBytes ?? DEFAULT_MIN_EXTERNAL_BYTES);
  if (options.simplify === false) return { bytes: skeleton.bytes, dir: skeleton.dir };
  const simplified = simplifyForInference(skeleton.bytes, { readExternal: (ref) => readExternal(skeleton.dir, ref) });
  return { bytes: simplified.bytes, dir: skeleton.dir, report: simplified.report };
}
