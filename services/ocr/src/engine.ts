// The OCR engine: detection, orientation and recognition over pages or known regions, with the
// line crops of every page and region of a batch recognised together.
import { join } from 'node:path';
import type { BBox, Block, BlockType, Language, TextLine } from '@paperline/contracts';
import { groupLinesIntoBlocks, readingOrder } from '@paperline/vision';
import { TextClassifier, type ClassifierOptions } from './classifier.js';
import { loadCharset } from './ctc.js';
import { TextDetector, type DetectorOptions } from './detector.js';
import type { LineCrop } from './line-crops.js';
import { markMargins, type MarginOptions } from './margins.js';
import { DEFAULT_MODELS_DIR, type LoadedModel, type ModelLoader } from './model-loader.js';
import { quadBox, quadSize, rotateQuad90, type Quad } from './quad.js';
import { cropRgb, type RgbImage } from './raster.js';
import { TextRecognizer, type RecognizerOptions } from './recognizer.js';
import { joinLines } from './text-join.js';

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
  /** Margin added around a region before detecting in it, in pixels. @default 4 */
  regionMargin?: number;
  modelsDir?: string;
  /** Page mode: type lone lines in the page margins as header/footer; false leaves every block text. */
  margins?: MarginOptions | false;
  detector?: DetectorOptions;
  recognizer?: RecognizerOptions;
  classifier?: ClassifierOptions;
}

export const DEFAULT_LANG: Language = 'ch';
export const DEFAULT_MIN_CONFIDENCE = 0.5;
export const DEFAULT_VERTICAL_RATIO = 1.5;
export const DEFAULT_REGION_MARGIN = 4;

export interface OcrLine extends TextLine {
  quad: Quad;
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

interface LangModels {
  detector: TextDetector;
  recognizer: TextRecognizer;
  models: LoadedModel[];
}

export class OcrEngine {
  private readonly langs = new Map<Language, Promise<LangModels>>();
  private classifier: Promise<{ cls: TextClassifier; model: LoadedModel }> | undefined;

  constructor(
    private readonly loader: ModelLoader,
    private readonly options: OcrEngineOptions = {},
  ) {}

  get defaultLang(): Language {
    return this.options.lang ?? DEFAULT_LANG;
  }

  /** The text lines of each target (unordered), all recognised in shared batches. */
  async readLines(targets: readonly OcrTarget[], lang: Language = this.defaultLang): Promise<OcrLine[][]> {
    const { detector, recognizer } = await this.models(lang);
    const verticalRatio = this.options.verticalRatio ?? DEFAULT_VERTICAL_RATIO;
    const crops: LineCrop[] = [];
    const owners: number[] = [];
    for (const [t, target] of targets.entries()) {
      for (const quad of await this.detect(detector, target)) {
        const { width, height } = quadSize(quad);
        crops.push({ image: target.image, quad: height >= verticalRatio * width ? rotateQuad90(quad) : quad });
        owners.push(t);
      }
    }
    if (this.options.useCls && crops.length > 0) {
      const { cls } = await this.cls();
      const turned = await cls.orient(crops);
      turned.forEach((quad, i) => (crops[i] = { image: crops[i]!.image, quad }));
    }
    const decoded = await recognizer.recognize(crops);
    const minConfidence = this.options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    const out: OcrLine[][] = targets.map(() => []);
    decoded.forEach((line, i) => {
      const text = line.text.trim();
      if (!text || line.confidence < minConfidence) return;
      const quad = crops[i]!.quad;
      out[owners[i]!]!.push({ text, confidence: line.confidence, bbox: quadBox(quad), quad });
    });
    return out;
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
      const groups = readingOrder(groupLinesIntoBlocks(lines[i]!), { pageWidth: job.image.width, pageHeight: job.image.height });
      if (job.kind === 'region') return [toBlock(job.id, job.type, job.bbox, job.order, groups.flatMap((g) => g.lines))];
      const blocks = groups.map((g, order) => toBlock(`${job.idPrefix}-${order}`, 'text', g.bbox, order, g.lines));
      return this.options.margins === false ? blocks : markMargins(blocks, job.image.height, this.options.margins);
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
    const held = [...this.langs.values()];
    const cls = this.classifier;
    this.langs.clear();
    this.classifier = undefined;
    const models = (await Promise.allSettled(held)).flatMap((r) => (r.status === 'fulfilled' ? r.value.models : []));
    if (cls) {
      const c = await cls.catch(() => undefined);
      if (c) models.push(c.model);
    }
    await Promise.allSettled(models.map((m) => m.release()));
  }

  /** Model ids currently loaded (for /status). */
  loadedModels(): string[] {
    const ids: string[] = [...this.langs.keys()].flatMap((l) => [OCR_MODELS[l].det, OCR_MODELS[l].rec]);
    return this.classifier ? [...ids, CLS_MODEL] : ids;
  }

  private async detect(detector: TextDetector, target: OcrTarget): Promise<Quad[]> {
    if (!target.area) return (await detector.detect(target.image, this.options.detector)).map((b) => b.quad);
    const m = this.options.regionMargin ?? DEFAULT_REGION_MARGIN;
    const [x0, y0, x1, y1] = target.area;
    const crop = cropRgb(target.image, x0 - m, y0 - m, x1 + m, y1 + m);
    const left = Math.max(0, Math.floor(x0 - m));
    const top = Math.max(0, Math.floor(y0 - m));
    const boxes = await detector.detect(crop, this.options.detector);
    return boxes.map((b) => b.quad.map(([x, y]) => [x + left, y + top]) as Quad);
  }

  private models(lang: Language): Promise<LangModels> {
    let held = this.langs.get(lang);
    if (!held) {
      held = this.loadLang(lang);
      this.langs.set(lang, held);
      held.catch(() => this.langs.delete(lang));
    }
    return held;
  }

  private async loadLang(lang: Language): Promise<LangModels> {
    const ids = OCR_MODELS[lang];
    const modelsDir = this.options.modelsDir ?? DEFAULT_MODELS_DIR;
    const [det, rec, charset] = await Promise.all([this.loader(ids.det), this.loader(ids.rec), loadCharset(join(modelsDir, ids.dictionary))]);
    return {
      detector: new TextDetector(det, this.options.detector),
      recognizer: new TextRecognizer(rec, charset, this.options.recognizer),
      models: [det, rec],
    };
  }

  private cls(): Promise<{ cls: TextClassifier; model: LoadedModel }> {
    this.classifier ??= this.loader(CLS_MODEL).then((model) => ({ cls: new TextClassifier(model, this.options.classifier), model }));
    return this.classifier;
  }
}

function toBlock(id: string, type: BlockType, bbox: BBox, order: number, lines: OcrLine[]): Block {
  const confidence = lines.length ? lines.reduce((s, l) => s + l.confidence, 0) / lines.length : 0;
  return {
    id,
    type,
    bbox,
    text: joinLines(lines.map((l) => l.text)),
    confidence,
    source: 'ocr',
    order,
    lines: lines.map(({ text, bbox: b, confidence: c }) => ({ text, bbox: b, confidence: c })),
  };
}
