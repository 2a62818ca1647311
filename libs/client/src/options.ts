// The textual forms of document options shared by the HTTP query string and the CLI flags
// (`pages=1-5`, `features=table:off,formula:on`), parsed into contracts' DocOptions.
import {
  FEATURES,
  LanguageSchema,
  OUTPUT_FORMATS,
  PRIORITIES,
  type DocOptionsInput,
  type FeatureName,
  type OutputFormat,
  type PageRange,
} from '@paperline/contracts';
import { ClientError } from './errors.js';

/** Every field is the raw text a user typed; absent means the pipeline's default. */
export interface TextOptions {
  /** `3` or `1-5` (1-based, inclusive). */
  pages?: string;
  lang?: string;
  /** `md`, `json` or `md,json`. */
  format?: string;
  priority?: string;
  /** `table:off,formula:on` (also `table=off`). */
  features?: string;
}

const SWITCH_VALUES: Record<string, boolean> = { on: true, true: true, '1': true, off: false, false: false, '0': false };

export function parsePageRange(text: string): PageRange {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  const from = Number(match?.[1]);
  const to = match?.[2] === undefined ? from : Number(match[2]);
  if (!match || from < 1 || to < from) {
    throw new ClientError('INVALID_OPTION', `pages must be N or FROM-TO with 1 <= FROM <= TO, got "${text}"`);
  }
  return { from, to };
}

export function parseFeatureSwitches(text: string): Partial<Record<FeatureName, boolean>> {
  const switches: Partial<Record<FeatureName, boolean>> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = item.split(/[:=]/).map((s) => s.trim().toLowerCase());
    const enabled = SWITCH_VALUES[value ?? ''];
    if (!(FEATURES as readonly string[]).includes(name ?? '') || enabled === undefined) {
      throw new ClientError('INVALID_OPTION', `features must be a list of FEATURE:on|off with FEATURE one of ${FEATURES.join(', ')}, got "${item}"`);
    }
    switches[name as FeatureName] = enabled;
  }
  return switches;
}

export function parseOutputFormats(text: string): OutputFormat[] {
  const formats = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = formats.find((f) => !(OUTPUT_FORMATS as readonly string[]).includes(f));
  if (formats.length === 0 || unknown !== undefined) {
    throw new ClientError('INVALID_OPTION', `format must be one or more of ${OUTPUT_FORMATS.join(', ')}, got "${text}"`);
  }
  return [...new Set(formats)] as OutputFormat[];
}

/** Builds the DocOptions of a submit from text; throws INVALID_OPTION naming the bad field. */
export function parseTextOptions(text: TextOptions): DocOptionsInput {
  const options: DocOptionsInput = {};
  if (text.pages !== undefined) options.pageRange = parsePageRange(text.pages);
  if (text.format !== undefined) options.outputFormats = parseOutputFormats(text.format);
  if (text.features !== undefined) options.features = parseFeatureSwitches(text.features);
  if (text.lang !== undefined) {
    const lang = LanguageSchema.safeParse(text.lang.trim().toLowerCase());
    if (!lang.success) throw new ClientError('INVALID_OPTION', `lang must be one of ${LanguageSchema.options.join(', ')}, got "${text.lang}"`);
    options.lang = lang.data;
  }
  if (text.priority !== undefined) {
    const priority = text.priority.trim().toLowerCase();
    if (!(PRIORITIES as readonly string[]).includes(priority)) {
      throw new ClientError('INVALID_OPTION', `priority must be one of ${PRIORITIES.join(', ')}, got "${text.priority}"`);
    }
    options.priority = priority as DocOptionsInput['priority'];
  }
  return options;
}
