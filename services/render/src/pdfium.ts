// PDFium (BSD-licensed, Chrome's PDF engine) compiled to WebAssembly by @embedpdf/pdfium: one
// instance per process, loaded on first use. Its C API is called through the module's raw exports
// (`_FPDF…`): the package's cwrap'd functions convert every argument, which costs more than the
// call itself when a page's text is read char by char. Being WebAssembly, a fault inside the
// engine traps as a JavaScript exception instead of taking the process down the way a native
// addon's can (the SIGSEGV of issue 13 came from the native canvas).
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { init } from '@embedpdf/pdfium';

/** The raw C API and the heap, as far as render uses them (pointers are numbers into HEAPU8). */
export interface PdfiumApi {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _FPDF_LoadMemDocument(data: number, size: number, password: number): number;
  _FPDF_GetLastError(): number;
  _FPDF_CloseDocument(doc: number): void;
  _FPDF_GetPageCount(doc: number): number;
  _FPDF_LoadPage(doc: number, index: number): number;
  _FPDF_ClosePage(page: number): void;
  _FPDF_GetPageWidthF(page: number): number;
  _FPDF_GetPageHeightF(page: number): number;
  _FPDF_PageToDevice(page: number, x: number, y: number, w: number, h: number, rotate: number, pageX: number, pageY: number, deviceX: number, deviceY: number): number;
  _FPDFText_LoadPage(page: number): number;
  _FPDFText_ClosePage(textPage: number): void;
  _FPDFText_CountChars(textPage: number): number;
  _FPDFText_GetUnicode(textPage: number, index: number): number;
  _FPDFText_IsGenerated(textPage: number, index: number): number;
  _FPDFText_GetLooseCharBox(textPage: number, index: number, rect: number): number;
  _FPDFText_GetFontSize(textPage: number, index: number): number;
  _FPDFText_GetFontInfo(textPage: number, index: number, buffer: number, length: number, flags: number): number;
  _FPDFText_GetTextObject(textPage: number, index: number): number;
  _FPDFText_GetMatrix(textPage: number, index: number, matrix: number): number;
  _FPDFTextObj_GetFont(textObject: number): number;
  _FPDFText_GetCharOrigin(textPage: number, index: number, x: number, y: number): number;
  _FPDFPage_CountObjects(page: number): number;
  _FPDFPage_GetObject(page: number, index: number): number;
  _FPDFPageObj_GetType(object: number): number;
  _FPDFPageObj_GetBounds(object: number, left: number, bottom: number, right: number, top: number): number;
  _FPDFPageObj_GetMatrix(object: number, matrix: number): number;
  _FPDFPageObj_SetIsActive(object: number, active: number): number;
  _FPDFFormObj_CountObjects(form: number): number;
  _FPDFFormObj_GetObject(form: number, index: number): number;
  _FPDFPath_GetDrawMode(path: number, fillMode: number, stroke: number): number;
  _FPDFPath_CountSegments(path: number): number;
  _FPDFPath_GetPathSegment(path: number, index: number): number;
  _FPDFPathSegment_GetPoint(segment: number, x: number, y: number): number;
  _FPDFPathSegment_GetType(segment: number): number;
  _FPDFPathSegment_GetClose(segment: number): number;
  _FPDFBitmap_CreateEx(width: number, height: number, format: number, buffer: number, stride: number): number;
  _FPDFBitmap_FillRect(bitmap: number, left: number, top: number, width: number, height: number, color: number): number;
  _FPDFBitmap_GetBuffer(bitmap: number): number;
  _FPDFBitmap_GetStride(bitmap: number): number;
  _FPDFBitmap_Destroy(bitmap: number): void;
  _FPDF_RenderPageBitmap(bitmap: number, page: number, x: number, y: number, w: number, h: number, rotate: number, flags: number): void;
}

/** FPDF_GetLastError codes. */
export const PdfiumErrors = { FILE: 2, FORMAT: 3, PASSWORD: 4, SECURITY: 5, PAGE: 6 } as const;
/** FPDF_PAGEOBJ_* */
export const PageObjectTypes = { TEXT: 1, PATH: 2, IMAGE: 3, SHADING: 4, FORM: 5 } as const;
/** FPDF_SEGMENT_* */
export const SegmentTypes = { LINETO: 0, BEZIERTO: 1, MOVETO: 2 } as const;
/** FPDFBitmap_BGRA: four bytes a pixel (RGBA with FPDF_REVERSE_BYTE_ORDER). */
export const BITMAP_BGRA = 4;
/** FPDF_ANNOT | FPDF_REVERSE_BYTE_ORDER: annotations' appearance painted, bytes in RGBA order. */
export const RENDER_FLAGS = 0x01 | 0x10;

let loading: Promise<PdfiumApi> | undefined;

/** The process's PDFium instance, compiled and initialised on first use. */
export function pdfium(): Promise<PdfiumApi> {
  loading ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('@embedpdf/pdfium/pdfium.wasm');
    const module = await init({ wasmBinary: (await readFile(wasmPath)).buffer as ArrayBuffer });
    module.PDFiumExt_Init();
    // the module's typings leave out the heap views it carries
    return boundToExports(module.pdfium as unknown as { HEAPU8: Uint8Array; wasmExports: object });
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * The C API bound straight to the WebAssembly exports. The module's own `_FPDF…` functions are an
 * Emscripten ASSERTIONS build's wrappers, which gather, check and spread the arguments of every
 * call, and a page's text is read in tens of thousands of calls. The heap is read through the
 * module, which replaces its view when the memory grows.
 */
function boundToExports(module: { HEAPU8: Uint8Array; wasmExports: object }): PdfiumApi {
  const api = Object.defineProperty({} as Record<string, unknown>, 'HEAPU8', { get: () => module.HEAPU8 });
  for (const [name, value] of Object.entries(module.wasmExports)) {
    if (typeof value === 'function') api[`_${name}`] = value;
  }
  return api as unknown as PdfiumApi;
}

const UTF8 = new TextDecoder();

/** Scratch memory on the engine's heap for out-parameters, freed when the holder closes. */
export class Scratch {
  readonly pointer: number;

  constructor(
    private readonly api: PdfiumApi,
    readonly bytes: number,
  ) {
    this.pointer = api._malloc(bytes);
  }

  /** Float32 values at the start (views are remade when the heap's buffer changes as it grows). */
  f32(index: number): number {
    return this.views().f32[index]!;
  }

  f64(index: number): number {
    return this.views().f64[index]!;
  }

  i32(index: number): number {
    return this.views().i32[index]!;
  }

  private view: { f32: Float32Array; f64: Float64Array; i32: Int32Array } | undefined;

  private views(): NonNullable<Scratch['view']> {
    // growing the memory detaches the buffer the views stand on, which leaves them empty: that is
    // checked on every read, where asking the module for its heap each time cost 3 % of a page
    if (this.view === undefined || this.view.i32.length === 0) {
      const buffer = this.api.HEAPU8.buffer;
      this.view = {
        f32: new Float32Array(buffer, this.pointer, this.bytes / 4),
        f64: new Float64Array(buffer, this.pointer, this.bytes / 8),
        i32: new Int32Array(buffer, this.pointer, this.bytes / 4),
      };
    }
    return this.view;
  }

  /** A NUL-terminated UTF-8 string at `offset`. */
  utf8(offset: number, length: number): string {
    const bytes = this.api.HEAPU8.subarray(this.pointer + offset, this.pointer + offset + length);
    const end = bytes.indexOf(0);
    return UTF8.decode(end >= 0 ? bytes.subarray(0, end) : bytes);
  }

  free(): void {
    this.api._free(this.pointer);
  }
}
