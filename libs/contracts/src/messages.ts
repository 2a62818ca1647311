// Message schemas. Every message carries `v`, the schema version; the TypeScript types are
// inferred from these schemas, never written by hand.
import { z } from 'zod';
import { FEATURES, OUTPUT_FORMATS, PRIORITIES, STAGES } from './names.js';

export const SCHEMA_VERSION = 1 as const;
const version = z.literal(SCHEMA_VERSION);

export const DocIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,64}$/, 'docId must be 6-64 characters of [A-Za-z0-9_-]');

export const LanguageSchema = z.enum(['en', 'ch']);
export type Language = z.infer<typeof LanguageSchema>;

export const MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/tiff'] as const;
export const MediaTypeSchema = z.string().min(1);

/** [x0, y0, x1, y1] in page pixels at the page's raster DPI (top-left origin). */
export const BBoxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type BBox = z.infer<typeof BBoxSchema>;

export const PageRangeSchema = z
  .object({ from: z.number().int().min(1), to: z.number().int().min(1) })
  .refine((r) => r.to >= r.from, 'pageRange.to must be >= pageRange.from');
export type PageRange = z.infer<typeof PageRangeSchema>;

export const FeatureTogglesSchema = z.object(
  Object.fromEntries(FEATURES.map((f) => [f, z.boolean().optional()])) as Record<(typeof FEATURES)[number], z.ZodOptional<z.ZodBoolean>>,
);

export const DocOptionsSchema = z.object({
  priority: z.enum(PRIORITIES).default('normal'),
  /** A request can turn a feature off for itself, never on against the control flag. */
  features: FeatureTogglesSchema.default({}),
  pageRange: PageRangeSchema.optional(),
  outputFormats: z.array(z.enum(OUTPUT_FORMATS)).min(1).default(['md', 'json']),
  lang: LanguageSchema.optional(),
  dpi: z.number().int().min(36).max(600).optional(),
  /**
   * Limits of this document, set by whoever admits it (the gateway, per API key): they can only
   * lower the deployment's limits (render applies the smaller of both), never raise them.
   */
  limits: z
    .object({
      maxPages: z.number().int().min(1).optional(),
      maxPixels: z.number().int().min(1).optional(),
    })
    .optional(),
});
export type DocOptions = z.infer<typeof DocOptionsSchema>;
export type DocOptionsInput = z.input<typeof DocOptionsSchema>;

/** `pl.docs.submit[.high]`: a document stored in `pl-documents` under `object`. */
export const DocSubmitSchema = z.object({
  v: version,
  docId: DocIdSchema,
  object: z.string().min(1),
  fileName: z.string().min(1).max(512),
  mediaType: MediaTypeSchema,
  bytes: z.number().int().min(0),
  options: DocOptionsSchema,
  submittedAt: z.string(),
  /**
   * Set on render's own continuation of a document it is turning into pages in slices: the next
   * page to render, and how often this slice was put back because the document was throttled.
   */
  resume: z.object({ page: z.number().int().min(1), attempt: z.number().int().min(0) }).optional(),
});
export type DocSubmit = z.infer<typeof DocSubmitSchema>;

export const GlyphRunSchema = z.object({
  text: z.string(),
  bbox: BBoxSchema,
  font: z.string(),
  /** Font size in raster pixels. */
  size: z.number(),
  bold: z.boolean(),
  italic: z.boolean(),
  /**
   * Direction of the baseline in degrees, counter-clockwise on the page (90: text reading upwards,
   * as in a margin stamp), when the run is rotated. Absent for horizontal text.
   */
  angle: z.number().optional(),
});
export type GlyphRun = z.infer<typeof GlyphRunSchema>;

export const RulingSchema = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() });
export type Ruling = z.infer<typeof RulingSchema>;

/** Stored as JSON in `pl-pages` at ObjectNames.pageText: too large to travel inline. */
export const PageTextLayerSchema = z.object({
  v: version,
  runs: z.array(GlyphRunSchema),
  rulings: z.array(RulingSchema),
  images: z.array(BBoxSchema),
});
export type PageTextLayer = z.infer<typeof PageTextLayerSchema>;

/** `pl.work.layout.<priority>`: one rendered page. */
export const PageTaskSchema = z.object({
  v: version,
  docId: DocIdSchema,
  page: z.number().int().min(1),
  pageCount: z.number().int().min(1),
  /** Page size in raster pixels at `dpi`. */
  width: z.number().positive(),
  height: z.number().positive(),
  dpi: z.number().positive(),
  source: z.object({
    kind: z.enum(['pdf', 'image']),
    /** Object in `pl-documents` (for a lazy raster of a born-digital page). */
    object: z.string(),
    /** 0-based frame of a multi-page image. */
    frame: z.number().int().min(0).optional(),
  }),
  /** Object in `pl-pages` with the page raster (PNG), when one was rendered. */
  raster: z.string().nullable(),
  /**
   * What `raster` shows: the whole page, or only the embedded images of a page with a text layer
   * (placed on white; enough for figure crops). Absent means the whole page.
   */
  rasterContent: z.enum(['page', 'images']).optional(),
  /**
   * The rectangle of the page (raster pixels, whole numbers) that an `images` raster covers: the
   * pictures' bounds, the page around them being white. Absent means the whole page.
   */
  rasterBox: BBoxSchema.optional(),
  /** Object in `pl-pages` with the PageTextLayer, when the page has one too large to travel inline. */
  textLayer: z.string().nullable(),
  /**
   * The PageTextLayer itself, when the task with it stays within render's `inlineTextLayerBytes`:
   * two object-store round trips and digests fewer per page.
   */
  textLayerInline: PageTextLayerSchema.optional(),
  /** Nothing is painted on the page: it has no text layer and no raster, and goes to no OCR. */
  blank: z.literal(true).optional(),
  options: DocOptionsSchema,
});
export type PageTask = z.infer<typeof PageTaskSchema>;

export const BLOCK_TYPES = [
  'title',
  'heading',
  'text',
  'list',
  'table',
  'formula',
  'figure',
  'chart',
  'caption',
  'header',
  'footer',
  'footnote',
  'code',
] as const;
export const BlockTypeSchema = z.enum(BLOCK_TYPES);
export type BlockType = z.infer<typeof BlockTypeSchema>;

export const TextLineSchema = z.object({
  text: z.string(),
  bbox: BBoxSchema,
  confidence: z.number().min(0).max(1),
});
export type TextLine = z.infer<typeof TextLineSchema>;

export const BlockSchema = z.object({
  id: z.string(),
  type: BlockTypeSchema,
  bbox: BBoxSchema,
  text: z.string(),
  /** Heading level 1-6 for title/heading blocks. */
  level: z.number().int().min(1).max(6).optional(),
  /** Font size (px) of a title or heading read from a text layer: assemble ranks heading levels by it across the document. */
  fontSize: z.number().positive().optional(),
  confidence: z.number().min(0).max(1),
  source: z.enum(['text-layer', 'ocr', 'model', 'none']),
  /** Position in the page's reading order (0-based). */
  order: z.number(),
  lines: z.array(TextLineSchema).optional(),
  /** Table HTML, formula LaTeX. */
  html: z.string().optional(),
  latex: z.string().optional(),
  /** Object in `pl-pages` holding a crop (figures, charts, formula fallback). */
  image: z.string().optional(),
  /** GitHub-flavoured Markdown of a table (or a chart's data table) without merged cells. */
  markdown: z.string().optional(),
  /** The caption of a chart or figure. */
  caption: z.string().optional(),
});
export type Block = z.infer<typeof BlockSchema>;

/** A region routed on by a stage: the page waits for its result too. */
export const PendingRegionSchema = z.object({ regionId: z.string(), stage: z.enum(STAGES) });
export type PendingRegion = z.infer<typeof PendingRegionSchema>;

/** A region the layout stage routes to a feature stage. */
export const RegionTaskSchema = z.object({
  v: version,
  docId: DocIdSchema,
  page: z.number().int().min(1),
  regionId: z.string().min(1),
  type: BlockTypeSchema,
  bbox: BBoxSchema,
  order: z.number(),
  /** ocr: `page` detects and groups lines itself (no layout model, no text layer); `region` reads a known block. */
  mode: z.enum(['page', 'region']),
  width: z.number().positive(),
  height: z.number().positive(),
  dpi: z.number().positive(),
  /** The page raster in `pl-pages`; null for a born-digital page rendered without one (its text layer suffices). */
  raster: z.string().nullable(),
  lang: LanguageSchema,
  /** Text-layer glyph runs and vector rulings inside (and, for a chart, touching) the region, on born-digital pages. */
  runs: z.array(GlyphRunSchema).optional(),
  rulings: z.array(RulingSchema).optional(),
  /** A crop of the region in `pl-pages` that the result block carries (a formula's picture beside its OCR text, a chart's image). */
  image: z.string().optional(),
  options: DocOptionsSchema,
  /**
   * The text of a table or chart region (its surroundings too, for a chart's axis labels):
   * text-layer words on born-digital pages, OCR lines on scans. Absent: the stage has none.
   */
  words: z.array(TextLineSchema).optional(),
  /** The caption found beside a figure or chart region. */
  caption: z.string().optional(),
  /**
   * Feature stages the receiver may route sub-regions to (ocr page mode: table regions of a
   * scan), as layout decided them from the control flags and the request. Absent: none.
   */
  routes: z.array(z.enum(FEATURES)).optional(),
});
export type RegionTask = z.infer<typeof RegionTaskSchema>;

/** `pl.work.assemble.<priority>`, from layout: the page's blocks and the regions still pending. */
export const PageLayoutSchema = z.object({
  v: version,
  type: z.literal('layout'),
  docId: DocIdSchema,
  page: z.number().int().min(1),
  pageCount: z.number().int().min(1),
  width: z.number().positive(),
  height: z.number().positive(),
  blocks: z.array(BlockSchema),
  pendingRegions: z.array(PendingRegionSchema),
  options: DocOptionsSchema,
});
export type PageLayout = z.infer<typeof PageLayoutSchema>;

/** `pl.work.assemble.<priority>`, from a feature stage: the blocks of one region. */
export const RegionResultSchema = z.object({
  v: version,
  type: z.literal('region'),
  docId: DocIdSchema,
  page: z.number().int().min(1),
  regionId: z.string(),
  stage: z.enum(STAGES),
  blocks: z.array(BlockSchema),
  /** Regions this stage routed on (ocr: a scan's tables to the table stage): the page waits for them too. */
  pendingRegions: z.array(PendingRegionSchema).optional(),
});
export type RegionResult = z.infer<typeof RegionResultSchema>;

export const AssembleMessageSchema = z.discriminatedUnion('type', [PageLayoutSchema, RegionResultSchema]);
export type AssembleMessage = z.infer<typeof AssembleMessageSchema>;

/** Dead letter on `pl.dlq.<stage>`; the original message's headers travel alongside. */
export const DeadLetterSchema = z.object({
  v: version,
  stage: z.enum(STAGES),
  code: z.string(),
  reason: z.string(),
  docId: z.string().optional(),
  page: z.number().int().optional(),
  subject: z.string(),
  stream: z.string(),
  streamSequence: z.number().int(),
  deliveryCount: z.number().int(),
  /** The original payload, base64, when small enough to keep. */
  payload: z.string().optional(),
  at: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** A job in one of these states never changes again. */
export const FINAL_JOB_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];

export function isFinalJobStatus(status: JobStatus): boolean {
  return (FINAL_JOB_STATUSES as readonly JobStatus[]).includes(status);
}

/** Who submitted a document: an API key's id (never the key), so another key cannot see it. */
export const OwnerSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'owner must be 1-128 characters of [A-Za-z0-9_.:-]');

/** KV `pl-jobs` `doc.<docId>`: one document's progress. */
export const JobRecordSchema = z.object({
  v: version,
  docId: DocIdSchema,
  fileName: z.string(),
  status: z.enum(JOB_STATUSES),
  /** The submitter (an API key's id); absent for documents submitted without authentication. */
  owner: OwnerSchema.optional(),
  pageCount: z.number().int().nullable(),
  pagesDone: z.array(z.number().int()),
  options: DocOptionsSchema,
  error: z.object({ stage: z.enum(STAGES), code: z.string(), reason: z.string() }).optional(),
  outputs: z.record(z.string(), z.string()).default({}),
  submittedAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
  cancelledAt: z.string().optional(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** KV `pl-jobs` `page.<docId>.<page>`: which regions a page waits for. */
export const PageRecordSchema = z.object({
  v: version,
  docId: DocIdSchema,
  page: z.number().int(),
  width: z.number(),
  height: z.number(),
  /** The layout message arrived (region results may come first with several assemblers). */
  layoutSeen: z.boolean(),
  expected: z.array(z.string()),
  received: z.array(z.string()),
});
export type PageRecord = z.infer<typeof PageRecordSchema>;

export const DocEventSchema = z.discriminatedUnion('type', [
  z.object({ v: version, type: z.literal('doc.completed'), docId: DocIdSchema, pageCount: z.number().int(), outputs: z.record(z.string(), z.string()), durationMs: z.number(), at: z.string() }),
  z.object({ v: version, type: z.literal('doc.failed'), docId: DocIdSchema, stage: z.enum(STAGES), code: z.string(), reason: z.string(), at: z.string() }),
  z.object({ v: version, type: z.literal('doc.cancelled'), docId: DocIdSchema, at: z.string() }),
  z.object({ v: version, type: z.literal('doc.progress'), docId: DocIdSchema, pagesDone: z.number().int(), pageCount: z.number().int().nullable(), at: z.string() }),
]);
export type DocEvent = z.infer<typeof DocEventSchema>;

export const MODEL_EVENTS = ['load', 'loaded', 'load_failed', 'unload', 'evict', 'fallback', 'idle_unload'] as const;
export const ModelEventSchema = z.object({
  v: version,
  type: z.literal('model'),
  event: z.enum(MODEL_EVENTS),
  model: z.string(),
  device: z.string(),
  stage: z.string(),
  instance: z.string(),
  bytes: z.number().optional(),
  reason: z.string().optional(),
  at: z.string(),
});
export type ModelEvent = z.infer<typeof ModelEventSchema>;

export const MEMORY_LEVELS = ['normal', 'warn', 'critical', 'emergency'] as const;
export type MemoryLevel = (typeof MEMORY_LEVELS)[number];
export const MemoryEventSchema = z.object({
  v: version,
  type: z.literal('memory'),
  level: z.enum(MEMORY_LEVELS),
  device: z.string(),
  usedBytes: z.number(),
  limitBytes: z.number(),
  instance: z.string(),
  stage: z.string(),
  action: z.string(),
  at: z.string(),
});
export type MemoryEvent = z.infer<typeof MemoryEventSchema>;

export const LEASE_STATES = ['loading', 'active', 'idle', 'evicting'] as const;
export const LeaseSchema = z.object({
  stage: z.string(),
  instance: z.string(),
  model: z.string(),
  bytes: z.number().int().min(0),
  state: z.enum(LEASE_STATES),
  lastUsedAt: z.number(),
  expiresAt: z.number(),
});
export type Lease = z.infer<typeof LeaseSchema>;

/** KV `pl-memory` `ledger.<device>`. */
export const LedgerSchema = z.object({
  v: version,
  device: z.string(),
  capacityBytes: z.number().int().min(0),
  leases: z.record(z.string(), LeaseSchema),
});
export type Ledger = z.infer<typeof LedgerSchema>;

/** KV `pl-instances` `instance.<stage>.<instance>`: a stage instance says it runs, with what backend. */
export const InstanceBeatSchema = z.object({
  v: version,
  stage: z.enum(STAGES),
  instance: z.string().min(1),
  node: z.string(),
  pid: z.number().int().min(0),
  startedAt: z.number(),
  /** When this beat was written, and how often the instance writes one: older than 3 intervals is down. */
  beatAt: z.number(),
  intervalMs: z.number().int().positive(),
  backend: z.string().nullable(),
  models: z.array(z.string()),
});
export type InstanceBeat = z.infer<typeof InstanceBeatSchema>;

/** KV `pl-memory` `footprint.<model>.<device>`: learned from measured loads. */
export const FootprintSchema = z.object({
  v: version,
  model: z.string(),
  device: z.string(),
  bytes: z.number().int().min(0),
  samples: z.number().int().min(1),
  updatedAt: z.string(),
});
export type Footprint = z.infer<typeof FootprintSchema>;

/** The parsed document stored in `pl-outputs` as JSON: pages, then blocks in reading order. */
export const ParsedDocumentSchema = z.object({
  v: version,
  docId: DocIdSchema,
  fileName: z.string(),
  pageCount: z.number().int().min(0),
  pages: z.array(
    z.object({
      page: z.number().int().min(1),
      width: z.number(),
      height: z.number(),
      blocks: z.array(BlockSchema),
    }),
  ),
  createdAt: z.string(),
});
export type ParsedDocument = z.infer<typeof ParsedDocumentSchema>;
