// Joining recognised lines into paragraph text: Chinese and Japanese lines run on without a
// space, Latin lines get one, and a word hyphenated at a line end is put back together.

const CJK = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u;
const HYPHENATED = /\p{L}-$/u;
const LOWER_START = /^\p{Ll}/u;
const UPPER_START = /^\p{Lu}/u;

export function joinLines(lines: readonly string[]): string {
  let out = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (!out) {
      out = line;
      continue;
    }
    if (HYPHENATED.test(out) && LOWER_START.test(line)) {
      out = out.slice(0, -1) + line;
    } else if (HYPHENATED.test(out) && UPPER_START.test(line)) {
      // a compound broken at its own hyphen (Gilbarg-Trudinger)
      out += line;
    } else if (CJK.test(out.slice(-1)) || CJK.test(line.charAt(0))) {
      out += line;
    } else {
      out += ' ' + line;
    }
  }
  return out;
}
