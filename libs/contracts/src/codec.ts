import type { z } from 'zod';
import { PaperlineError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Parses and validates a message body; a violation is a terminal INVALID_MESSAGE error naming the fields. */
export function decode<S extends z.ZodType>(schema: S, data: Uint8Array | string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch (error) {
    throw new PaperlineError('INVALID_MESSAGE', 'not JSON', { cause: error });
  }
  return validate(schema, json);
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const detail = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new PaperlineError('INVALID_MESSAGE', detail, { cause: result.error });
  }
  return result.data;
}

/** Validates before encoding, so nothing malformed is ever published. */
export function encode<S extends z.ZodType>(schema: S, value: z.input<S>): Uint8Array {
  return encoder.encode(JSON.stringify(validate(schema, value)));
}
