import { Option, type Command } from 'commander';
import { FEATURES, LanguageSchema, OUTPUT_FORMATS, PRIORITIES } from '@paperline/contracts';
import { parseTextOptions } from '@paperline/client';
import type { DocOptionsInput, OutputFormat } from '@paperline/contracts';

export interface DocumentFlags {
  pages?: string;
  lang?: string;
  format?: OutputFormat;
  priority?: string;
  features?: string;
}

/** The per-document flags shared by `parse` and `submit` (same text forms as the HTTP query). */
export function addDocumentOptions(command: Command, formatHelp: string): Command {
  return command
    .addOption(new Option('--format <format>', formatHelp).choices(OUTPUT_FORMATS))
    .option('--pages <range>', 'only these pages, N or FROM-TO (1-based, inclusive)')
    .addOption(new Option('--lang <lang>', 'language of the text for OCR').choices(LanguageSchema.options))
    .addOption(new Option('--priority <priority>', 'queue priority').choices(PRIORITIES))
    .option('--features <list>', `turn features off for this document, e.g. table:off (${FEATURES.join(', ')})`);
}

export function documentOptions(flags: DocumentFlags): DocOptionsInput {
  return parseTextOptions({ pages: flags.pages, lang: flags.lang, format: flags.format, priority: flags.priority, features: flags.features });
}
