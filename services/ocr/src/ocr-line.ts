import type { TextLine } from '@paperline/contracts';
import type { Quad } from './quad.js';

/** A recognised line with the quad it was read from (turned so that its text runs left to right). */
export interface OcrLine extends TextLine {
  quad: Quad;
}
