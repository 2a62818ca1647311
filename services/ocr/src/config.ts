// The OCR stage's settings (convict): the base, memory and models settings plus an `ocr` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { memorySchema } from '@paperline/memory';
import { modelsSchema } from '@paperline/models';
import { DEFAULT_LIMIT_SIDE } from './detector.js';
import { DEFAULT_LANG, DEFAULT_OCR_BOX_UNCLIP_RATIO, DEFAULT_OCR_CROP_UNCLIP_RATIO } from './engine.js';
import { DEFAULT_INTRA_OP_THREADS } from './model-loader.js';
import { DEFAULT_REC_BATCH } from './recognizer.js';

/** Tasks per stage batch: their line crops share recognition batches. */
export const DEFAULT_OCR_BATCH_SIZE = 4;

export const ocrSchema = {
  ...baseSchema,
  ...memorySchema,
  ...modelsSchema,
  ocr: {
    lang: { doc: 'Models used when a request names no language: ch (Chinese + English) or en.', format: ['en', 'ch'], default: DEFAULT_LANG, env: 'PL_OCR_LANG' },
    detLimitSide: { doc: 'Detector input: the longer side is scaled down to at most this many pixels.', format: 'nat', default: DEFAULT_LIMIT_SIDE, env: 'PL_OCR_DET_LIMIT_SIDE' },
    unclipRatio: { doc: 'How far detected text kernels are grown into text boxes (area * ratio / perimeter).', format: Number, default: DEFAULT_OCR_BOX_UNCLIP_RATIO, env: 'PL_OCR_UNCLIP_RATIO' },
    cropUnclipRatio: { doc: 'The same for the crops given to recognition.', format: Number, default: DEFAULT_OCR_CROP_UNCLIP_RATIO, env: 'PL_OCR_CROP_UNCLIP_RATIO' },
    useCls: { doc: 'Run the text-line orientation classifier (for upside-down lines).', format: Boolean, default: false, env: 'PL_OCR_USE_CLS' },
    recBatchSize: { doc: 'Line crops per recognition inference.', format: 'nat', default: DEFAULT_REC_BATCH, env: 'PL_OCR_REC_BATCH' },
    memArena: { doc: 'Keep onnxruntime\'s CPU memory arena: released whole with the session, so a paused stage gives back ~240 MiB instead of ~20-30 MiB; the same CPU per page and no soak growth of the process either way (docs/memory.md).', format: Boolean, default: true, env: 'PL_OCR_MEM_ARENA' },
    threads: { doc: 'onnxruntime intra-op threads per inference.', format: 'nat', default: DEFAULT_INTRA_OP_THREADS, env: 'PL_OCR_THREADS' },
    batchSize: { doc: 'Region tasks per stage batch.', format: 'nat', default: DEFAULT_OCR_BATCH_SIZE, env: 'PL_OCR_BATCH_SIZE' },
  },
};

export type OcrConfig = ReturnType<typeof loadOcrConfig>;

export function loadOcrConfig(options: LoadOptions = {}) {
  return loadConfig(ocrSchema, options);
}
