// PP-DocLayout (S, M, L, plus-L) on a page raster: pre-processing by architecture, one inference
// through the stage's ModelManager, and the detections decoded, thresholded and de-duplicated.
// PicoDet-GFL exports (S, M) take RGB scaled to [0, 1] then ImageNet mean/std; RT-DETR exports
// (L, plus-L) take BGR scaled to [0, 1] only, and the network input's size as `im_shape`. Both take
// `scale_factor` = [H / origH, W / origW] and answer in the original image's pixels.
import type { BBox, BlockType } from '@paperline/contracts';
import { PaperlineError } from '@paperline/contracts';
import type { InferenceRunner, ModelHandle, ModelSpec } from '@paperline/models';
import { boxHeight, boxWidth, overlap1d } from '@paperline/vision';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { z } from 'zod';
import { DOCLAYOUT_BLOCK_TYPES, labelOf, type DocLayoutLabel } from './doclayout-labels.js';

export const DOCLAYOUT_ARCHITECTURES = ['picodet-gfl', 'rt-detr'] as const;
export type DocLayoutArchitecture = (typeof DOCLAYOUT_ARCHITECTURES)[number];

/** What the backend reads of a manifest entry's free-form `io`: the architecture and the input size. */
const DocLayoutIoSchema = z.object({
  architecture: z.enum(DOCLAYOUT_ARCHITECTURES),
  inputs: z.array(z.object({ name: z.string(), shape: z.array(z.union([z.number(), z.string()])) })),
});

export interface DocLayoutVariant {
  modelId: string;
  architecture: DocLayoutArchitecture;
  /** Network input height and width. */
  height: number;
  width: number;
}

export function docLayoutVariant(spec: ModelSpec): DocLayoutVariant {
  const io = DocLayoutIoSchema.safeParse(spec.io);
  const shape = io.success ? io.data.inputs.find((i) => i.name === 'image')?.shape : undefined;
  const [height, width] = [shape?.[2], shape?.[3]];
  if (!io.success || typeof height !== 'number' || typeof width !== 'number') {
    throw new PaperlineError('MODEL_UNAVAILABLE', `manifest entry ${spec.id} does not describe a PP-DocLayout model (io.architecture and a fixed [1,3,H,W] 'image' input)`);
  }
  return { modelId: spec.id, architecture: io.data.architecture, height, width };
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Interleaved RGB pixels (width x height) to the network's planar float input. */
export function toInputPlanes(rgb: Uint8Array, width: number, height: number, architecture: DocLayoutArchitecture): Float32Array {
  const area = width * height;
  const out = new Float32Array(3 * area);
  for (let plane = 0; plane < 3; plane++) {
    // RT-DETR exports read B, G, R; GFL exports R, G, B with ImageNet statistics
    const channel = architecture === 'rt-detr' ? 2 - plane : plane;
    const mean = architecture === 'rt-detr' ? 0 : IMAGENET_MEAN[plane]!;
    const std = architecture === 'rt-detr' ? 1 : IMAGENET_STD[plane]!;
    const offset = plane * area;
    for (let i = 0; i < area; i++) out[offset + i] = (rgb[3 * i + channel]! / 255 - mean) / std;
  }
  return out;
}

export interface Detection {
  label: DocLayoutLabel;
  type: BlockType;
  score: number;
  /** In the raster's pixels. */
  bbox: BBox;
}

export interface DetectOptions {
  /** Detections scoring lower are dropped. @default 0.5 */
  scoreThreshold: number;
  /** Two boxes of one class overlapping by more than this IoU are one detection. @default 0.5 */
  overlapIou: number;
  /** A box of one class lying this much inside a higher-scoring one of the same class is dropped. @default 0.9 */
  containedShare: number;
}

export const DEFAULT_DETECT_OPTIONS: Readonly<DetectOptions> = Object.freeze({ scoreThreshold: 0.5, overlapIou: 0.5, containedShare: 0.9 });

/** Rows [class, score, x1, y1, x2, y2] (the first `count`) to detections inside the image. */
export function decodeDetections(rows: ArrayLike<number>, count: number, image: { width: number; height: number }, options: DetectOptions = DEFAULT_DETECT_OPTIONS): Detection[] {
  const detections: Detection[] = [];
  for (let r = 0; r < count; r++) {
    const label = labelOf(rows[6 * r]!);
    const score = rows[6 * r + 1]!;
    if (!label || !(score >= options.scoreThreshold)) continue;
    const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
    const bbox: BBox = [clamp(rows[6 * r + 2]!, image.width), clamp(rows[6 * r + 3]!, image.height), clamp(rows[6 * r + 4]!, image.width), clamp(rows[6 * r + 5]!, image.height)];
    if (boxWidth(bbox) < 1 || boxHeight(bbox) < 1) continue;
    detections.push({ label, type: DOCLAYOUT_BLOCK_TYPES[label], score, bbox });
  }
  return suppressOverlaps(detections, options);
}

/** Per class, highest score first: a box overlapping or lying inside a kept one is the same object. */
export function suppressOverlaps(detections: readonly Detection[], options: Pick<DetectOptions, 'overlapIou' | 'containedShare'> = DEFAULT_DETECT_OPTIONS): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...detections].sort((a, b) => b.score - a.score)) {
    const duplicate = kept.some((k) => {
      if (k.label !== d.label) return false;
      const common = overlap1d(k.bbox[0], k.bbox[2], d.bbox[0], d.bbox[2]) * overlap1d(k.bbox[1], k.bbox[3], d.bbox[1], d.bbox[3]);
      const area = (b: BBox) => boxWidth(b) * boxHeight(b);
      return common / (area(k.bbox) + area(d.bbox) - common) > options.overlapIou || common >= options.containedShare * area(d.bbox);
    });
    if (!duplicate) kept.push(d);
  }
  return kept;
}

/** What the detector needs of the stage's ModelManager. */
export interface LayoutModelSource {
  acquire(modelId: string): Promise<ModelHandle<InferenceRunner>>;
}

export interface PageDetections {
  /** The raster's size: detection boxes are in its pixels. */
  width: number;
  height: number;
  detections: Detection[];
}

export class DocLayoutDetector {
  constructor(
    private readonly models: LayoutModelSource,
    readonly variant: DocLayoutVariant,
    private readonly options: DetectOptions = DEFAULT_DETECT_OPTIONS,
  ) {}

  /** Detections on an encoded page raster (PNG, JPEG, ...). */
  async detect(raster: Uint8Array): Promise<PageDetections> {
    const { architecture, height, width } = this.variant;
    const image = sharp(raster).removeAlpha();
    const meta = await image.metadata();
    const [origWidth, origHeight] = [meta.width ?? 0, meta.height ?? 0];
    if (!origWidth || !origHeight) throw new PaperlineError('INVALID_MESSAGE', 'the page raster cannot be decoded');
    // plain resize to the network's square: the boxes are mapped back with scale_factor
    const pixels = await image.resize(width, height, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
    const feeds: Record<string, ort.Tensor> = {
      image: new ort.Tensor('float32', toInputPlanes(pixels, width, height, architecture), [1, 3, height, width]),
      scale_factor: new ort.Tensor('float32', Float32Array.from([height / origHeight, width / origWidth]), [1, 2]),
      im_shape: new ort.Tensor('float32', Float32Array.from([height, width]), [1, 2]),
    };
    const handle = await this.models.acquire(this.variant.modelId);
    try {
      const session = handle.session;
      const inputs = Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]]));
      const missing = session.inputNames.filter((name) => !feeds[name]);
      if (missing.length > 0) throw new PaperlineError('MODEL_UNAVAILABLE', `${this.variant.modelId} asks for inputs ${missing.join(', ')} (a PP-DocLayout export takes image, scale_factor and, for RT-DETR, im_shape)`);
      const outputs = await session.run(inputs as Record<string, ort.Tensor>);
      const rows = outputs[session.outputNames[0]!]!;
      const countTensor = session.outputNames[1] ? outputs[session.outputNames[1]] : undefined;
      const available = rows.dims.length === 2 && rows.dims[1] === 6 ? rows.dims[0]! : 0;
      const count = countTensor ? Math.min(available, Number(countTensor.data[0] ?? 0)) : available;
      return { width: origWidth, height: origHeight, detections: decodeDetections(rows.data as Float32Array, count, { width: origWidth, height: origHeight }, this.options) };
    } finally {
      handle.release();
    }
  }
}
