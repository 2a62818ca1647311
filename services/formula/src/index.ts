export { createFormulaHandler, formulaCropName, type FormulaHandlerDeps, type FormulaBackend } from './handler.js';
export { formulaStage, createFormulaStage, chooseFormulaModel, type FormulaStage, type FormulaStageDeps } from './stage.js';
export { formulaSchema, loadFormulaConfig, FORMULA_MODEL_PREFERENCE, DEFAULT_FORMULA_BATCH_SIZE, type FormulaConfig } from './config.js';
export { FormulaRecognizer, formulaVariant, formulaInput, loadFormulaTokenizer, FORMULA_MEAN, FORMULA_STD, FORMULA_TOKENS, DEFAULT_MAX_TOKENS, type FormulaVariant, type FormulaModelSource } from './formula-model.js';
export { glyphsToLatex } from './glyph-latex.js';
export { toLatex } from './unicode-latex.js';
