// What a font's name and flags say about its style, and the text clean-up both PDF engines apply.
const BOLD_NAME = /bold|black|heavy|semibold|demibold|extrabold|ultrabold|medi(?:um)?(?:ital(?:ic)?)?$|[-,](?:bd|sb)$/i;
const ITALIC_NAME = /italic|ital$|oblique|[-,]it$|slant/i;
/** Ligatures and other compatibility characters (ﬁ, ﬂ) to their plain letters. */
const COMPATIBILITY = /[\uFB00-\uFB4F\u2000-\u200A]/g;

/** "ABCDEF+Times-Bold" -> "Times-Bold". */
export function baseFontName(name: string): string {
  return name.replace(/^[A-Z]{6}\+/, '');
}

export function boldByName(fontName: string): boolean {
  return BOLD_NAME.test(fontName);
}

export function italicByName(fontName: string): boolean {
  return ITALIC_NAME.test(fontName);
}

/** Expands ligatures and odd-width spaces into the letters and spaces they stand for. */
export function plainText(text: string): string {
  return text.replace(COMPATIBILITY, (c) => c.normalize('NFKC'));
}

export const round2 = (v: number) => Math.round(v * 100) / 100;
