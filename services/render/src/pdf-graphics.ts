// Vector rulings and image rectangles from a page's operator list, in raster pixels; text
// operators go to a sink (TextCollector). Colours and clips are skipped, which keeps this cheap.
import type { BBox, Ruling } from '@paperline/contracts';
import { OPS, Util } from './pdfjs.js';
import { DEFAULT_GRAPHICS_OPTIONS, RulingCollector, apply, clipBox, deviceBox, type GraphicsOptions, type Matrix } from './page-geometry.js';

export type { Matrix } from './page-geometry.js';

/** Operator list as pdfjs returns it. */
export interface OperatorList {
  fnArray: number[];
  argsArray: unknown[];
}

// DrawOPS codes inside a constructPath buffer (pdfjs 5)
const MOVE_TO = 0;
const LINE_TO = 1;
const CURVE_TO = 2;
const QUAD_TO = 3;
const CLOSE = 4;

const STROKE_OPS = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const FILL_OPS = new Set<number>([OPS.fill, OPS.eoFill]);
const IMAGE_OPS = new Set<number>([
  OPS.paintImageXObject,
  OPS.paintInlineImageXObject,
  OPS.paintImageXObjectRepeat,
  OPS.paintImageMaskXObject,
  OPS.paintImageMaskXObjectRepeat,
]);

/** Operators that put marks on the page: text, images, shadings (paths paint through constructPath's own op). */
const PAINT_OPS = new Set<number>([
  OPS.showText,
  OPS.showSpacedText,
  OPS.nextLineShowText,
  OPS.nextLineSetSpacingShowText,
  ...IMAGE_OPS,
  OPS.paintSolidColorImageMask,
  OPS.shadingFill,
]);

/** Whether the page's operator list paints anything at all: a page without is blank and needs no raster or OCR. */
export function paintsAnything(list: OperatorList): boolean {
  return list.fnArray.some((fn, i) => {
    if (PAINT_OPS.has(fn)) return true;
    if (fn !== OPS.constructPath) return false;
    const op = (list.argsArray[i] as unknown[] | null)?.[0] as number;
    return STROKE_OPS.has(op) || FILL_OPS.has(op);
  });
}

/** A decoded image as pdfjs hands it to the canvas (pdfjs's ImageKind in `kind`). */
export interface PdfjsImage {
  width: number;
  height: number;
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
}

/** One image paint operation whose rectangle is in `images`, with the transform in force. */
export interface ImagePlacement {
  /** The pdfjs object id of the image, the inline image itself, or null for a repeated image. */
  image: string | PdfjsImage | null;
  /** A stencil mask: 1-bit, a clear bit is painted in the fill colour. */
  mask?: boolean;
  ctm: Matrix;
  /** Device rectangle, clipped to the page. */
  box: BBox;
}

export interface PageGraphics {
  rulings: Ruling[];
  images: BBox[];
  placements: ImagePlacement[];
}

/** Text operators are handed to this as the walk meets them, with the transform in force. */
export interface TextOperatorSink {
  save(): void;
  restore(): void;
  handle(fn: number, args: unknown[] | null, ctm: Matrix): boolean;
}

/** Walks the operator list with `base` (the viewport transform) as the outer transform. */
export function extractGraphics(
  list: OperatorList,
  base: Matrix,
  pageSize: { width: number; height: number },
  text?: TextOperatorSink,
  options: GraphicsOptions = DEFAULT_GRAPHICS_OPTIONS,
): PageGraphics {
  const rulings = new RulingCollector(pageSize, options);
  const addRuling = (x0: number, y0: number, x1: number, y1: number) => rulings.segment(x0, y0, x1, y1);
  const images: BBox[] = [];
  const placements: ImagePlacement[] = [];
  const stack: Matrix[] = [];
  let ctm: Matrix = base;

  for (let i = 0; i < list.fnArray.length; i++) {
    const fn = list.fnArray[i]!;
    const args = list.argsArray[i] as unknown[] | null;
    switch (fn) {
      case OPS.save:
        stack.push(ctm);
        text?.save();
        break;
      case OPS.restore:
        ctm = stack.pop() ?? base;
        text?.restore();
        break;
      case OPS.transform:
        ctm = Util.transform(ctm, args as Matrix) as Matrix;
        break;
      case OPS.paintFormXObjectBegin:
        stack.push(ctm);
        text?.save();
        if (Array.isArray(args?.[0])) ctm = Util.transform(ctm, args[0] as Matrix) as Matrix;
        break;
      case OPS.paintFormXObjectEnd:
        ctm = stack.pop() ?? base;
        text?.restore();
        break;
      case OPS.constructPath: {
        const [op, [path], minMax] = args as [number, [Float32Array | null], Float32Array | null];
        if (!path || !minMax) break;
        if (STROKE_OPS.has(op)) strokeSegments(path, ctm, addRuling);
        else if (FILL_OPS.has(op)) rulings.filled(deviceBox(ctm, minMax[0]!, minMax[1]!, minMax[2]!, minMax[3]!));
        break;
      }
      default:
        if (text?.handle(fn, args, ctm)) break;
        if (IMAGE_OPS.has(fn)) {
          const box = clipBox(deviceBox(ctm, 0, 0, 1, 1), pageSize);
          if (box[2] - box[0] >= options.minImageSide && box[3] - box[1] >= options.minImageSide) {
            images.push(box);
            placements.push({ ...placedImage(fn, args), ctm, box });
          }
        }
    }
  }
  return { rulings: rulings.rulings, images, placements };
}

function placedImage(fn: number, args: unknown[] | null): Pick<ImagePlacement, 'image' | 'mask'> {
  const first = args?.[0];
  if (fn === OPS.paintImageXObject && typeof first === 'string') return { image: first };
  if (fn === OPS.paintInlineImageXObject && first && typeof first === 'object') return { image: first as PdfjsImage };
  if (fn === OPS.paintImageMaskXObject && first && typeof first === 'object') {
    // a large mask's bits travel as an object whose id stands in `data`
    const mask = first as { data?: unknown; width?: number; height?: number };
    return { image: typeof mask.data === 'string' ? mask.data : (mask as PdfjsImage), mask: true };
  }
  return { image: null };
}

/** Each straight segment of a stroked path (rectangles included) as a candidate ruling. */
function strokeSegments(path: Float32Array, ctm: Matrix, add: (x0: number, y0: number, x1: number, y1: number) => void): void {
  let startX = 0;
  let startY = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < path.length; ) {
    const code = path[i++];
    if (code === MOVE_TO) {
      [x, y] = apply(ctm, path[i]!, path[i + 1]!);
      [startX, startY] = [x, y];
      i += 2;
    } else if (code === LINE_TO) {
      const [nx, ny] = apply(ctm, path[i]!, path[i + 1]!);
      add(x, y, nx, ny);
      [x, y] = [nx, ny];
      i += 2;
    } else if (code === CURVE_TO) {
      [x, y] = apply(ctm, path[i + 4]!, path[i + 5]!);
      i += 6;
    } else if (code === QUAD_TO) {
      [x, y] = apply(ctm, path[i + 2]!, path[i + 3]!);
      i += 4;
    } else if (code === CLOSE) {
      add(x, y, startX, startY);
      [x, y] = [startX, startY];
    } else {
      return; // an unknown code: the rest of the buffer cannot be parsed safely
    }
  }
}
