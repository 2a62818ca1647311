// The OCR engine: detection, orientation and recognition over pages or known regions, with the
// line crops of every page and region of a batch recognised together.
import { join } from 'node:path';
import type { BBox, Block, BlockType, Language } from '@paperline/contracts';
import { TextClassifier, type ClassifierOptions } from './classifier.js';
import { loadCharset, type DecodedLine } from './ctc.js';
import type { DetectedBox } from './det-postprocess.js';
import { TextDetector, type DetectorOptions } from './detector.js';
import type { LineCrop } from './line-crops.js';
import type { MarginOptions } from './margins.js';
import { DEFAULT_MODELS_DIR, type LoadedModel, type ModelSource } from './model-loader.js';
import type { OcrLine } from './ocr-line.js';
import { pageBlocks, regionBlock } from './page-blocks.js';
import { quadBox, quadSize, rotateQuad90, type Quad } from './quad.js';
import { chooseRotation, orientationProbe, probeQuad, type OrientationOptions, type PageRotation } from './orientation.js';
import { cropRgb, rotateRgb, type RgbImage } from './raster.js';
import { TextRecognizer, type RecognizerOptions } from './recognizer.js';

/** Model ids (models/manifest.json) and dictionaries (models/dicts) per language. */
export const OCR_MODELS = {
  en: { det: 'ppocr-det-en-v3', rec: 'ppocr-rec-en-v4', dictionary: 'dicts/en_dict.txt' },
  ch: { det: 'ppocr-det-ch-v4', rec: 'ppocr-rec-ch-v4', dictionary: 'dicts/ppocr_keys_v1.txt' },
} as const satisfies Record<Language, { det: string; rec: string; dictionary: string }>;
export const CLS_MODEL = 'ppocr-cls-ch-v2';

export interface OcrEngineOptions {
  /** @default 'ch' (Chinese + English models: right for mixed pages) */
  lang?: Language;
  /** Run the orientation classifier on line crops. @default false (upright pages: costs time, gains nothing) */
  useCls?: boolean;
  /** Lines recognised with less confidence are dropped. @default 0.5 */
  minConfidence?: number;
  /** A crop this many times taller than wide is read as vertical text. @default 1.5 */
  verticalRatio?: number;
  /** With the ch models, read Latin lines again with the en recogniser (spaces between words). @default true */
  latinRecheck?: boolean;
  /** Margin added around a region before detecting in it, in pixels. @default 4 */
  regionMargin?: number;
  modelsDir?: string;
  /** Page mode: turn a page upright before reading it; false reads every page as it comes. */
  orientation?: OrientationOptions | false;
  /** Page mode: type lone lines in the page margins as header/footer; false leaves every block text. */
  margins?: MarginOptions | false;
  detector?: DetectorOptions;
  recognizer?: RecognizerOptions;
  classifier?: ClassifierOptions;
}

export const DEFAULT_LANG: Language = 'ch';
export const DEFAULT_MIN_CONFIDENCE = 0.5;
/**
 * Unclip ratio of recognition crops: PaddleOCR's 1.5 cuts lines tightly; 1.75 read the mixed
 * corpus better (bow F1 0.845 -> 0.851) and gives shorter crops (faster recognition).
 */
export const DEFAULT_OCR_CROP_UNCLIP_RATIO = 1.75;
/**
 * Unclip ratio of text boxes (grouping, reading order): boxes as wide as the crops bridge the
 * narrow gutters of newspaper columns (ned 0.53 -> 0.89 on one page); 1.6 keeps them apart.
 */
export const DEFAULT_OCR_BOX_UNCLIP_RATIO = 1.6;
export const DEFAULT_VERTICAL_RATIO = 1.5;
export const DEFAULT_REGION_MARGIN = 4;
/** Share of ASCII characters that makes a line Latin for the re-check. */
const LATIN_SHARE = 0.9;
/** The English reading wins unless its confidence is lower by more than this. */
const LATIN_RECHECK_MARGIN = 0.05;

/** A target's lines, read with the target turned by `rotation` (clockwise) to stand upright. */
export interface PageLines {
  lines: OcrLine[];
  rotation: PageRotation;
  /** The upright frame's size (the lines' coordinates). */
  width: number;
  height: number;
}

/** A page to read whole, or a region of it (`area`) to read as one block. */
export interface OcrTarget {
  image: RgbImage;
  area?: BBox;
}

/** A whole page: detect every line, group and order them. `idPrefix` names its blocks. */
export interface PageJob {
  kind: 'page';
  image: RgbImage;
  idPrefix: string;
  /**
   * Find table candidates (rulings in the pixels, columns of aligned lines) and give each as one
   * `table` block holding its lines, for the table stage. @default false (their lines stay text)
   */
  tables?: boolean;
}

/** A known block of a page (from layout): read the lines inside `bbox` as one block. */
export interface RegionJob {
  kind: 'region';
  image: RgbImage;
  bbox: BBox;
  type: BlockType;
  order: number;
  id: string;
}

export type OcrJob = PageJob | RegionJob;

/** The models one read holds: each acquired once, all released when the read ends. */
type Acquire = (modelId: string) => Promise<LoadedModel>;

export class OcrEngine {
  private readonly charsets = new Map<string, Promise<string[]>>();

  constructor(
    private readonly models: ModelSource,
    private readonly options: OcrEngineOptions = {},
  ) {}

  get defaultLang(): Language {
    return this.options.lang ?? DEFAULT_LANG;
  }

  /**
   * The text lines of each target (unordered). A whole page is first turned upright, and its
   * lines' boxes are in that upright frame. Pages share model calls, never recognition batches.
   */
  async readLines(targets: readonly OcrTarget[], lang: Language = this.defaultLang): Promise<PageLines[]> {
    return this.holding((acquire) => this.readLinesWith(acquire, targets, lang));
  }

  /**
   * Acquires models as a read needs them and releases them all when it ends, so between reads
   * the ModelManager may unload idle models, evict them for another stage, or give them back on pause.
   */
  private async holding<T>(read: (acquire: Acquire) => Promise<T>): Promise<T> {
    const held = new Map<string, Promise<LoadedModel>>();
    const acquire: Acquire = (modelId) => {
      let model = held.get(modelId);
      if (!model) {
        model = this.models.acquire(modelId);
        held.set(modelId, model);
      }
      return model;
    };
    try {
      return await read(acquire);
    } finally {
      await Promise.allSettled([...held.values()].map(async (model) => (await model).release()));
    }
  }

  private async readLinesWith(acquire: Acquire, targets: readonly OcrTarget[], lang: Language): Promise<PageLines[]> {
    const detector = await this.detector(acquire, lang);
    const recognizer = await this.recognizer(acquire, lang);
    const verticalRatio = this.options.verticalRatio ?? DEFAULT_VERTICAL_RATIO;
    const detected: DetectedBox[][] = [];
    for (const target of targets) detected.push(await this.detect(detector, target));
    const pages = targets.map((target) => ({ image: target.image, rotation: 0 as PageRotation }));
    if (this.options.orientation !== false) {
      const rotations = await this.pageRotations(recognizer, targets, detected);
      for (const [t, rotation] of rotations.entries()) {
        if (rotation === 0) continue;
        const image = await rotateRgb(targets[t]!.image, rotation);
        pages[t] = { image, rotation };
        detected[t] = await this.detect(detector, { image });
      }
    }
    const crops: LineCrop[] = [];
    const owners: number[] = [];
    const boxes: Quad[] = [];
    for (const [t, found] of detected.entries()) {
      for (const { quad, cropQuad } of found) {
        const { width, height } = quadSize(cropQuad);
        crops.push({ image: pages[t]!.image, quad: height >= verticalRatio * width ? rotateQuad90(cropQuad) : cropQuad, group: t });
        owners.push(t);
        boxes.push(quad);
      }
    }
    if (this.options.useCls && crops.length > 0) {
      const turned = await (await this.classifier(acquire)).orient(crops);
      turned.forEach((quad, i) => (crops[i] = { ...crops[i]!, quad }));
    }
    const decoded = await recognizer.recognize(crops);
    if (lang === 'ch' && this.options.latinRecheck !== false) await this.recheckLatin(acquire, crops, decoded);
    const minConfidence = this.options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    const out: PageLines[] = pages.map(({ image, rotation }) => ({ lines: [], rotation, width: image.width, height: image.height }));
    decoded.forEach((line, i) => {
      const text = line.text.trim();
      if (!text || line.confidence < minConfidence) return;
      out[owners[i]!]!.lines.push({ text, confidence: line.confidence, bbox: quadBox(boxes[i]!), quad: crops[i]!.quad });
    });
    return out;
  }

  /**
   * How far each whole page (not a region: layout has read those upright) must be turned to
   * stand upright, from its detected boxes and the recogniser's confidence on its longest lines
   * read each candidate way up. Every page's probe is read in batches of its own.
   */
  private async pageRotations(recognizer: TextRecognizer, targets: readonly OcrTarget[], detected: DetectedBox[][]): Promise<PageRotation[]> {
    const options = this.options.orientation || {};
    const probes = detected.map((boxes, t) => (targets[t]!.area ? undefined : orientationProbe(boxes.map((b) => b.cropQuad), options)));
    const crops: LineCrop[] = [];
    probes.forEach((probe, t) => {
      probe?.candidates.forEach((rotation, c) => {
        for (const i of probe.sample) crops.push({ image: targets[t]!.image, quad: probeQuad(detected[t]![i]!.cropQuad, rotation, options.maxProbeAspect), group: 2 * t + c });
      });
    });
    if (crops.length === 0) return targets.map(() => 0);
    const decoded = await recognizer.recognize(crops);
    let next = 0;
    return probes.map((probe) => {
      if (!probe) return 0;
      const take = () => decoded.slice(next, (next += probe.sample.length)).map((line) => (line.text.trim() ? line.confidence : 0));
      const first = take();
      return chooseRotation(probe, [first, take()], options);
    });
  }

  /** How far each whole page must be turned clockwise to stand upright (0 for a region). */
  async orientations(targets: readonly OcrTarget[], lang: Language = this.defaultLang): Promise<PageRotation[]> {
    return this.holding(async (acquire) => {
      const detector = await this.detector(acquire, lang);
      const recognizer = await this.recognizer(acquire, lang);
      const detected: DetectedBox[][] = [];
      for (const target of targets) detected.push(await this.detect(detector, target));
      return this.pageRotations(recognizer, targets, detected);
    });
  }

  /**
   * Pages and regions, any mix, with every line crop recognised in shared batches. A page gives
   * its paragraphs in reading order; a region gives one block of its type.
   */
  async read(jobs: readonly OcrJob[], lang?: Language): Promise<Block[][]> {
    const lines = await this.readLines(
      jobs.map((job) => (job.kind === 'page' ? { image: job.image } : { image: job.image, area: job.bbox })),
      lang,
    );
    return jobs.map((job, i) => {
      const page = lines[i]!;
      if (job.kind === 'region') return [regionBlock(page.lines, job, page)];
      // a turned page's lines are in the upright frame while the stored raster is not: the table
      // stage would crop the wrong pixels, so its tables stay text
      const tables = job.tables && page.rotation === 0 ? job.image : undefined;
      return pageBlocks(page.lines, { ...page, idPrefix: job.idPrefix }, { margins: this.options.margins, ...(tables ? { tables } : {}) });
    });
  }

  /** Whole pages: lines grouped into paragraphs, in reading order. */
  readPages(pages: readonly { image: RgbImage; idPrefix: string }[], lang?: Language): Promise<Block[][]> {
    return this.read(pages.map((p) => ({ kind: 'page', ...p })), lang);
  }

  /** Known regions: one block each, of the region's type, its lines in reading order. */
  async readRegions(regions: readonly Omit<RegionJob, 'kind'>[], lang?: Language): Promise<Block[]> {
    return (await this.read(regions.map((r) => ({ kind: 'region', ...r })), lang)).map((blocks) => blocks[0]!);
  }

  /** Unloads every model; the next read loads them again. */
  async release(): Promise<void> {
    await this.models.unloadAll();
  }

  /** Model ids currently loaded (for /status). */
  loadedModels(): string[] {
    return this.models.loaded();
  }

  /**
   * The Chinese recogniser reads Latin script well but often drops the spaces between words.
   * Latin lines with words run together are read again by the English recogniser, whose reading
   * wins unless it is clearly less confident. Well-spaced lines are left alone: it costs time.
   */
  private async recheckLatin(acquire: Acquire, crops: LineCrop[], decoded: DecodedLine[]): Promise<void> {
    const latin = decoded.flatMap((line, i) => (isLatinLine(line.text) ? [i] : []));
    if (latin.length === 0) return;
    const en = await (await this.recognizer(acquire, 'en')).recognize(latin.map((i) => crops[i]!));
    latin.forEach((i, k) => {
      const alt = en[k]!;
      if (alt.text.trim() && alt.confidence >= decoded[i]!.confidence - LATIN_RECHECK_MARGIN) decoded[i] = alt;
    });
  }

  private async detect(detector: TextDetector, target: OcrTarget): Promise<DetectedBox[]> {
    if (!target.area) return detector.detect(target.image, this.options.detector);
    const m = this.options.regionMargin ?? DEFAULT_REGION_MARGIN;
    const [x0, y0, x1, y1] = target.area;
    const crop = cropRgb(target.image, x0 - m, y0 - m, x1 + m, y1 + m);
    const left = Math.max(0, Math.floor(x0 - m));
    const top = Math.max(0, Math.floor(y0 - m));
    const boxes = await detector.detect(crop, this.options.detector);
    const shift = (q: Quad): Quad => q.map(([x, y]) => [x + left, y + top]) as Quad;
    return boxes.map((b) => ({ ...b, quad: shift(b.quad), cropQuad: shift(b.cropQuad) }));
  }

  private async detector(acquire: Acquire, lang: Language): Promise<TextDetector> {
    return new TextDetector(await acquire(OCR_MODELS[lang].det), { unclipRatio: DEFAULT_OCR_BOX_UNCLIP_RATIO, cropUnclipRatio: DEFAULT_OCR_CROP_UNCLIP_RATIO, ...this.options.detector });
  }

  private async recognizer(acquire: Acquire, lang: Language): Promise<TextRecognizer> {
    const [model, charset] = await Promise.all([acquire(OCR_MODELS[lang].rec), this.charset(OCR_MODELS[lang].dictionary)]);
    return new TextRecognizer(model, charset, this.options.recognizer);
  }

  private async classifier(acquire: Acquire): Promise<TextClassifier> {
    return new TextClassifier(await acquire(CLS_MODEL), this.options.classifier);
  }

  /** Dictionaries are read once; a failed read is forgotten so it can be retried. */
  private charset(dictionary: string): Promise<string[]> {
    let charset = this.charsets.get(dictionary);
    if (!charset) {
      charset = loadCharset(join(this.options.modelsDir ?? DEFAULT_MODELS_DIR, dictionary));
      this.charsets.set(dictionary, charset);
      charset.catch(() => this.charsets.delete(dictionary));
    }
    return charset;
  }
}

/** Words run together: a letter run longer than most words, or lower-upper or letter-digit seams. */
const GLUED = /[A-Za-z]{13,}|[a-z][A-Z][a-z]|[A-Za-z]{2}\d|\d[A-Za-z]{3}/;

/** Mostly ASCII with words run together: worth a second reading by the English recogniser. */
function isLatinLine(text: string): boolean {
  const chars = [...text.replace(/\s+/g, '')];
  if (chars.length < 3 || !GLUED.test(text)) return false;
  const ascii = chars.filter((c) => c.charCodeAt(0) < 128).length;
  return ascii / chars.length >= LATIN_SHARE;
}
