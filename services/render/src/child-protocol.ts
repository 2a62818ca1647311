// The messages between the render stage and its render process (render-child.ts), validated on
// arrival at either end. They travel over the IPC channel with Node's advanced (structured clone)
// serialization, so page rasters cross as bytes, not base64, and text layers without JSON.
import { BBoxSchema, ErrorCodes, PageTextLayerSchema, PaperlineError, isPaperlineError, validate, type ErrorCode } from '@paperline/contracts';
import { z } from 'zod';
import { SOURCE_FORMATS } from './sniff.js';
import { PDF_ENGINES } from './types.js';

const BytesSchema = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes (a Uint8Array)');
const IdSchema = z.number().int().min(1);

const RenderLimitsSchema = z.object({ maxPages: z.number().int().min(0), maxPixels: z.number().int().min(0), maxBytes: z.number().int().min(0) });

export const ChildOpenOptionsSchema = z.object({
  pdfEngine: z.enum(PDF_ENGINES),
  limits: RenderLimitsSchema,
  dpi: z.number().int().min(1),
  alwaysRaster: z.boolean(),
  minTextChars: z.number().int().min(0),
  fileName: z.string().optional(),
});
export type ChildOpenOptions = z.infer<typeof ChildOpenOptionsSchema>;

export const ChildRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('open'), id: IdSchema, bytes: BytesSchema, mediaType: z.string(), options: ChildOpenOptionsSchema }),
  z.object({ op: z.literal('page'), id: IdSchema, handle: IdSchema, page: z.number().int().min(1) }),
  z.object({ op: z.literal('close'), id: IdSchema, handle: IdSchema }),
]);
export type ChildRequest = z.infer<typeof ChildRequestSchema>;

export const RenderedPageSchema = z.object({
  page: z.number().int().min(1),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  dpi: z.number().min(1),
  frame: z.number().int().min(0).optional(),
  textLayer: PageTextLayerSchema.nullable(),
  raster: BytesSchema.nullable(),
  rasterContent: z.enum(['page', 'images']).optional(),
  rasterBox: BBoxSchema.optional(),
  blank: z.literal(true).optional(),
});

const WireErrorSchema = z.object({ code: z.enum(Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]]), message: z.string() });
type WireError = z.infer<typeof WireErrorSchema>;

export const ChildReplySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('opened'), id: IdSchema, handle: IdSchema, format: z.enum(SOURCE_FORMATS), kind: z.enum(['pdf', 'image']), pageCount: z.number().int().min(0) }),
  z.object({ op: z.literal('page'), id: IdSchema, page: RenderedPageSchema }),
  z.object({ op: z.literal('closed'), id: IdSchema }),
  z.object({ op: z.literal('error'), id: IdSchema, error: WireErrorSchema }),
]);
export type ChildReply = z.infer<typeof ChildReplySchema>;

export const parseChildRequest = (message: unknown): ChildRequest => validate(ChildRequestSchema, message);
export const parseChildReply = (message: unknown): ChildReply => validate(ChildReplySchema, message);

/** An error as it crosses to the stage: its code and message (an unexpected one is INTERNAL, as it would be in-process). */
export function toWireError(error: unknown): WireError {
  if (isPaperlineError(error)) return { code: error.code, message: error.message };
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  return { code: 'INTERNAL', message: `${name}: ${message}` };
}

/** The PaperlineError the render process threw, with the same code and message. */
export function fromWireError(error: WireError): PaperlineError {
  const template = ErrorCodes[error.code].message;
  if (error.message === template) return new PaperlineError(error.code);
  const detail = error.message.startsWith(`${template}: `) ? error.message.slice(template.length + 2) : error.message;
  return new PaperlineError(error.code, detail);
}
