/**
 * A deterministic corpus of SMS bodies for cross-checking `analyzeText` (tests only).
 * Same seed, same corpus: a failure can always be reproduced from the body it prints.
 */

/** Mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CORPUS_KINDS = [
  'ascii',
  'gsm-extension',
  'gsm-extension-at-boundary',
  'latin-accents',
  'decomposed',
  'arabic',
  'cyrillic',
  'cjk',
  'emoji',
  'zwj-sequences',
  'cluster-at-boundary',
  'line-breaks',
  'oversized-cluster',
  'mixed',
] as const;

export type CorpusKind = (typeof CORPUS_KINDS)[number];

export interface CorpusBody {
  kind: CorpusKind;
  body: string;
}

const WORDS = [
  'Hello',
  'your',
  'order',
  'is',
  'ready',
  'invoice',
  'due',
  'tomorrow',
  'thanks',
  'code',
  '1234',
  'please',
  'call',
  'us',
  'at',
  '+49',
  '30',
  '12345',
  'Reply',
  'STOP',
  'https://ex.am/p?q=1',
  'EUR',
  '99.00',
  'OK',
];
const ASCII_PUNCTUATION = [...`!?.,:;-()"'@#%&*/=<>_$`, '`'];
const EXTENSION = ['€', '^', '{', '}', '\\', '[', ']', '~', '|', '\f'];
const GSM_LATIN = [...'éèàùìòÇÄÖÜäöüñÑßÅåÆæØøÉ¡¿£¥§¤ΔΦΓΛΩΠΨΣΘΞ'];
const NON_GSM_LATIN = [...'áíóúâêôãõçčšžłńőýÁÍÓÚşğıİ'];
const DECOMPOSED = [
  'e\u0301',
  'a\u0308',
  'n\u0303',
  'A\u030a',
  'o\u0308',
  'u\u0300',
  '\u2126',
  '\u212b',
  'c\u0327',
  'x\u0331',
];
const ARABIC = ['مرحبا', 'بكم', 'في', 'متجرنا،', 'طلبك', 'جاهز', 'للاستلام', 'مَرْحَبًا', '١٢٣'];
const CYRILLIC = ['Здравствуйте,', 'ваш', 'заказ', 'готов', 'к', 'выдаче', 'Дякуємо!', 'Ёлка'];
const CJK = [
  '您好，',
  '您的验证码是',
  '请勿泄露。',
  'ありがとうございます',
  'カタカナ',
  '감사합니다',
  '𠀋𡈽',
];
const EMOJI = ['😀', '👍', '👍🏽', '❤️', '🎉', '🇩🇪', '🇫🇷', '1️⃣', '☀️', '✅', '🙏🏻', '🇹🇷'];
const ZWJ_SEQUENCES = ['👨‍👩‍👧‍👦', '👩🏽‍💻', '🏳️‍🌈', '🧑‍🤝‍🧑', '👁️‍🗨️', '🐻‍❄️', '❤️‍🔥', '🧑🏿‍🦰'];
const LINE_BREAKS = ['\n', '\r\n', '\r', '\n\n', '\r\n\r\n'];
const OTHER_SCRIPTS = ['नमस्ते', 'क्षमा', 'สวัสดีครับ', 'שלום', 'Γειά σου', 'ཀྵ'];
/** Part boundaries in septets / UCS-2 units, and their neighbours. */
const GSM_BOUNDARIES = [151, 152, 153, 154, 158, 159, 160, 161, 304, 305, 306, 307];
const UCS2_BOUNDARIES = [63, 64, 65, 66, 67, 68, 69, 70, 71, 130, 132, 133, 134, 135, 199, 200, 201];

/** Most SMS bodies are short; every length up to 800 code units still occurs. */
function pickLength(random: () => number): number {
  const r = random();
  if (r < 0.05) return Math.floor(random() * 10);
  if (r < 0.8) return 10 + Math.floor(random() * 190);
  if (r < 0.95) return 200 + Math.floor(random() * 200);
  return 400 + Math.floor(random() * 401);
}

/** Cut to at most `length` code units without leaving half a surrogate pair. */
function cut(text: string, length: number): string {
  const cutText = text.slice(0, length);
  return /[\uD800-\uDBFF]$/.test(cutText) ? cutText.slice(0, -1) : cutText;
}

function makeBody(kind: CorpusKind, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const fill = (length: number, next: () => string): string => {
    let text = '';
    while (text.length < length) text += next();
    return cut(text, length);
  };
  const ascii = () => (chance(0.85) ? `${pick(WORDS)} ` : pick(ASCII_PUNCTUATION));
  const asciiNoBacktick = () => (chance(0.85) ? `${pick(WORDS)} ` : pick(ASCII_PUNCTUATION.slice(0, -1)));
  const length = pickLength(random);
  switch (kind) {
    case 'ascii':
      return fill(length, ascii);
    case 'gsm-extension':
      return fill(length, () => (chance(0.2) ? pick(EXTENSION) : asciiNoBacktick()));
    case 'gsm-extension-at-boundary': {
      // The extension character's ESC would be the last septet of a part.
      const at = pick(GSM_BOUNDARIES);
      return (
        fill(at - 1, asciiNoBacktick) + pick(EXTENSION) + fill(Math.floor(random() * 40), asciiNoBacktick)
      );
    }
    case 'latin-accents':
      return fill(length, () =>
        chance(0.3) ? pick(chance(0.7) ? GSM_LATIN : NON_GSM_LATIN) : asciiNoBacktick(),
      );
    case 'decomposed':
      return fill(length, () => (chance(0.25) ? pick(DECOMPOSED) : asciiNoBacktick()));
    case 'arabic':
      return fill(length, () => (chance(0.8) ? `${pick(ARABIC)} ` : ascii()));
    case 'cyrillic':
      return fill(length, () => (chance(0.8) ? `${pick(CYRILLIC)} ` : ascii()));
    case 'cjk':
      return fill(length, () => (chance(0.8) ? pick(CJK) : ascii()));
    case 'emoji':
      return fill(length, () => (chance(0.3) ? pick(EMOJI) : ascii()));
    case 'zwj-sequences':
      return fill(length, () => (chance(0.3) ? pick(ZWJ_SEQUENCES) : chance(0.5) ? pick(CYRILLIC) : ascii()));
    case 'cluster-at-boundary': {
      // A multi-unit cluster straddling a UCS-2 part boundary.
      const at = pick(UCS2_BOUNDARIES);
      const cluster = pick([...EMOJI, ...ZWJ_SEQUENCES, ...DECOMPOSED]);
      return fill(at - 1, () => 'ж') + cluster + fill(Math.floor(random() * 80), () => pick(CYRILLIC));
    }
    case 'line-breaks':
      return fill(length, () =>
        chance(0.2) ? pick(LINE_BREAKS) : chance(0.1) ? pick(EMOJI) : asciiNoBacktick(),
      );
    case 'oversized-cluster': {
      // "Zalgo" text: one base letter with more combining marks than a part holds.
      const marks = Array.from({ length: 60 + Math.floor(random() * 90) }, () =>
        String.fromCharCode(0x0300 + Math.floor(random() * 0x70)),
      ).join('');
      return `${fill(Math.floor(random() * 100), ascii)}a${marks}${fill(Math.floor(random() * 100), ascii)}`;
    }
    case 'mixed':
      return fill(length, () =>
        pick([
          ascii,
          asciiNoBacktick,
          () => pick(EXTENSION),
          () => pick(GSM_LATIN),
          () => pick(NON_GSM_LATIN),
          () => pick(DECOMPOSED),
          () => `${pick(ARABIC)} `,
          () => `${pick(CYRILLIC)} `,
          () => pick(CJK),
          () => pick(EMOJI),
          () => pick(ZWJ_SEQUENCES),
          () => pick(LINE_BREAKS),
          () => pick(OTHER_SCRIPTS),
        ])(),
      );
  }
}

/** `count` bodies, cycling through every kind so each is equally represented. */
export function generateCorpus(count: number, seed = 0x5eed_5a1e): CorpusBody[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const kind = CORPUS_KINDS[i % CORPUS_KINDS.length]!;
    return { kind, body: makeBody(kind, random) };
  });
}
