// The formula stage's settings (convict): the base, memory and models settings plus a `formula` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { memorySchema } from '@paperline/memory';
import { modelsSchema } from '@paperline/models';
import { DEFAULT_MAX_TOKENS } from './formula-model.js';

/** `auto` takes the first of these whose files are installed. */
export const FORMULA_MODEL_PREFERENCE = ['pp-formulanet-l', 'pp-formulanet-s'] as const;
export const DEFAULT_FORMULA_BATCH_SIZE = 4;

export const formulaSchema = {
  ...baseSchema,
  ...memorySchema,
  ...modelsSchema,
  formula: {
    model: {
      doc: `Formula model: an encoder's manifest id (${FORMULA_MODEL_PREFERENCE.join(', ')}), 'auto' (the first installed) or 'none' (LaTeX from glyph runs on born-digital pages, OCR text on scans).`,
      format: String,
      default: 'auto',
      env: 'PL_FORMULA_MODEL',
    },
    maxTokens: { doc: 'Longest formula decoded, in tokens.', format: 'nat', default: DEFAULT_MAX_TOKENS, env: 'PL_FORMULA_MAX_TOKENS' },
    threads: { doc: 'onnxruntime intra-op threads per formula inference.', format: 'nat', default: 2, env: 'PL_FORMULA_THREADS' },
    batchSize: { doc: 'Formula regions per stage batch.', format: 'nat', default: DEFAULT_FORMULA_BATCH_SIZE, env: 'PL_FORMULA_BATCH_SIZE' },
  },
};

export type FormulaConfig = ReturnType<typeof loadFormulaConfig>;

export function loadFormulaConfig(options: LoadOptions = {}) {
  return loadConfig(formulaSchema, options);
}
