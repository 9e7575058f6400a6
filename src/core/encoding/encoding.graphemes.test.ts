import { describe, expect, it } from 'vitest';
import { graphemeEnds, isFastSegmentable, segmenterEnds } from './encoding.graphemes.js';

/**
 * `c` between neighbours of every class the fast rules distinguish: a letter, a combining mark, an
 * emoji ZWJ sequence, a regional indicator, Hangul L / V / T jamo, a line break, an emoji modifier, an
 * Indic virama (a GB9c linker), and itself (flags pair up, jamo join).
 */
const inContexts = (c: string): string =>
  `a${c}\u0301😀\u200d${c}🇩${c}\u1100${c}\u1161${c}\u11a8${c}\n${c}🏻${c}\u094d${c}${c}${c}a`;

/**
 * Every code point of planes 0, 1 and 14; one in seven of the CJK ideograph planes 2 and 3 and of
 * the private use planes 15 and 16. Planes 4 to 13 are unassigned.
 */
function* codePoints(): Generator<number> {
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp === 0xd800) cp = 0xe000; // paired surrogates are code points above U+FFFF
    if (cp === 0x40000) cp = 0xe0000;
    if ((cp >= 0x20000 && cp < 0x40000) || cp >= 0xf0000) {
      if (cp % 7 !== 0) continue;
    }
    yield cp;
  }
}

describe('graphemeEnds', () => {
  it('finds the same clusters as Intl.Segmenter for every code point it segments itself', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const cp of codePoints()) {
      const text = inContexts(String.fromCodePoint(cp));
      if (!isFastSegmentable(text)) continue;
      checked++;
      const ours = graphemeEnds(text).join();
      const reference = segmenterEnds(text).join();
      if (ours !== reference) mismatches.push(`U+${cp.toString(16).toUpperCase()}: ${ours} ≠ ${reference}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // Latin, Greek, Cyrillic, Arabic, Hebrew, CJK, Hangul, symbols and emoji are all on the fast path.
    expect(checked).toBeGreaterThan(60_000);
  }, 60_000);

  it.each([
    ['ASCII', 'Hello, world!'],
    ['Latin with combining marks', 'x\u0331y\u0301\u0302z'],
    ['Cyrillic', 'Дякуємо за замовлення'],
    ['Arabic with harakat', 'مَرْحَبًا بكم'],
    ['CJK and kana', '您好，ありがとう'],
    ['Hangul syllables and jamo', '감사합니다 \u1100\u1161\u11a8'],
    ['emoji with modifiers and presentation selectors', '👍🏽❤️1️⃣'],
    ['ZWJ sequences', '👨‍👩‍👧‍👦🧑‍🤝‍🧑🏳️‍🌈'],
    ['flags, odd run of regional indicators', '🇩🇪🇫🇷🇹'],
    ['a lone surrogate', 'a\ud800\u0301b'],
  ])('handles %s without Intl.Segmenter', (_, text) => {
    expect(isFastSegmentable(text)).toBe(true);
    expect(graphemeEnds(text)).toEqual(segmenterEnds(text));
  });

  it.each([
    ['Devanagari conjuncts', 'क्षमा नमस्ते'],
    ['Thai', 'สวัสดีครับ'],
    ['an Arabic prepended concatenation mark', '\u0600١٢'],
    ['CR LF', 'a\r\nb'],
  ])('hands %s to Intl.Segmenter', (_, text) => {
    expect(isFastSegmentable(text)).toBe(false);
    expect(graphemeEnds(text)).toEqual(segmenterEnds(text));
  });

  it('returns no clusters for the empty string', () => {
    expect(graphemeEnds('')).toEqual([]);
  });
});
