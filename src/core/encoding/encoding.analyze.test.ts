import { describe, expect, it } from 'vitest';
import { analyzeText, type TextAnalysis } from './index.js';

const units = (a: TextAnalysis) => a.parts.map((p) => p.units);
const texts = (a: TextAnalysis) => a.parts.map((p) => p.text);
const CYRILLIC = 'ж';

describe('analyzeText: GSM 7-bit', () => {
  it('treats an empty text as one empty GSM part with the whole part left', () => {
    expect(analyzeText('')).toEqual({
      text: '',
      encoding: 'GSM-7',
      characters: 0,
      units: 0,
      parts: [{ text: '', units: 0 }],
      unitsPerPart: 160,
      unitsLeftInPart: 160,
      ucs2Characters: [],
      shiftTable: null,
      transliterated: [],
    });
  });

  it('fits 160 septets in one part and reports none left', () => {
    const a = analyzeText('a'.repeat(160));
    expect(a).toMatchObject({
      encoding: 'GSM-7',
      characters: 160,
      units: 160,
      unitsPerPart: 160,
      unitsLeftInPart: 0,
    });
    expect(units(a)).toEqual([160]);
  });

  it('splits 161 septets into parts of 153', () => {
    const a = analyzeText('a'.repeat(161));
    expect(units(a)).toEqual([153, 8]);
    expect(a.unitsPerPart).toBe(153);
    expect(a.unitsLeftInPart).toBe(145);
  });

  it.each([
    [306, [153, 153]],
    [307, [153, 153, 1]],
    [459, [153, 153, 153]],
  ])('splits %i septets into %j', (length, expected) => {
    expect(units(analyzeText('b'.repeat(length)))).toEqual(expected);
  });

  it('counts every extension character as two septets', () => {
    const a = analyzeText('^{}\\[]~|€\f');
    expect(a).toMatchObject({ encoding: 'GSM-7', characters: 10, units: 20 });
  });

  it('fits 80 extension characters (160 septets) in one part, 81 in two', () => {
    expect(units(analyzeText('€'.repeat(80)))).toEqual([160]);
    expect(units(analyzeText('{'.repeat(81)))).toEqual([152, 10]);
  });

  it('moves an extension character that would straddle a part boundary to the next part', () => {
    // 152 septets, then ESC would be septet 153 and its second septet the first of part 2.
    const a = analyzeText(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    expect(texts(a)).toEqual(['a'.repeat(152), `€${'b'.repeat(10)}`]);
    expect(units(a)).toEqual([152, 12]);
  });

  it('keeps an extension character that ends exactly on the boundary in the first part', () => {
    const a = analyzeText(`${'a'.repeat(151)}€${'b'.repeat(10)}`);
    expect(units(a)).toEqual([153, 10]);
  });

  it('counts @ (septet 0) as one septet and encodes the whole default alphabet', () => {
    const alphabet =
      '@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect(analyzeText(alphabet)).toMatchObject({ encoding: 'GSM-7', units: alphabet.length });
    expect(analyzeText('@')).toMatchObject({ encoding: 'GSM-7', units: 1 });
  });

  it('accepts capital Ç but not small ç, which the default alphabet lacks', () => {
    expect(analyzeText('Ç').encoding).toBe('GSM-7');
    expect(analyzeText('ç')).toMatchObject({ encoding: 'UCS-2', ucs2Characters: ['ç'] });
  });

  it.each(['`', 'á', 'ê', 'õ', '\t', '\u00a0', 'Ā'])('needs UCS-2 for %j', (char) => {
    expect(analyzeText(`abc${char}`).encoding).toBe('UCS-2');
  });
});

describe('analyzeText: normalisation', () => {
  it('turns CRLF and lone CR into LF and counts each line break once', () => {
    const a = analyzeText('one\r\ntwo\rthree\n');
    expect(a.text).toBe('one\ntwo\nthree\n');
    expect(a).toMatchObject({ encoding: 'GSM-7', characters: 14, units: 14 });
  });

  it('fits 159 characters and a CRLF in one part', () => {
    expect(units(analyzeText(`${'x'.repeat(159)}\r\n`))).toEqual([160]);
  });

  it('composes e + combining acute into é, which is GSM 7-bit', () => {
    const a = analyzeText('Cafe\u0301');
    expect(a).toMatchObject({ text: 'Café', encoding: 'GSM-7', characters: 4, units: 4 });
  });

  it('maps canonical equivalents such as OHM SIGN to their GSM letter', () => {
    expect(analyzeText('5 \u2126')).toMatchObject({ text: '5 Ω', encoding: 'GSM-7', units: 3 });
  });
});

describe('analyzeText: UCS-2', () => {
  it('fits 70 units in one part and splits 71 into parts of 67', () => {
    expect(analyzeText(CYRILLIC.repeat(70))).toMatchObject({
      encoding: 'UCS-2',
      units: 70,
      unitsPerPart: 70,
    });
    expect(units(analyzeText(CYRILLIC.repeat(70)))).toEqual([70]);
    const a = analyzeText(CYRILLIC.repeat(71));
    expect(units(a)).toEqual([67, 4]);
    expect(a).toMatchObject({ unitsPerPart: 67, unitsLeftInPart: 63 });
  });

  it.each([
    [134, [67, 67]],
    [135, [67, 67, 1]],
  ])('splits %i units into %j', (length, expected) => {
    expect(units(analyzeText(CYRILLIC.repeat(length)))).toEqual(expected);
  });

  it('counts an emoji as one character and two units', () => {
    expect(analyzeText('a😀b')).toMatchObject({ encoding: 'UCS-2', characters: 3, units: 4 });
  });

  it('never splits a surrogate pair at the 67-unit boundary', () => {
    const a = analyzeText(`${CYRILLIC.repeat(66)}😀${CYRILLIC.repeat(10)}`);
    expect(units(a)).toEqual([66, 12]);
    expect(a.parts[1]!.text.startsWith('😀')).toBe(true);
  });

  it('keeps a ZWJ family emoji whole at the boundary', () => {
    const family = '👨‍👩‍👧‍👦'; // 11 units, one cluster
    const a = analyzeText(`${CYRILLIC.repeat(60)}${family}${CYRILLIC.repeat(10)}`);
    expect(units(a)).toEqual([60, 21]);
    expect(a.parts[1]!.text.startsWith(family)).toBe(true);
    expect(a.characters).toBe(71);
  });

  it('keeps a flag whole at the boundary', () => {
    const a = analyzeText(`${CYRILLIC.repeat(66)}🇩🇪x`);
    expect(texts(a)).toEqual([CYRILLIC.repeat(66), '🇩🇪x']);
  });

  it('keeps a letter and its combining mark together at the boundary', () => {
    const a = analyzeText(`${CYRILLIC.repeat(66)}x\u0331${CYRILLIC.repeat(5)}`);
    expect(units(a)).toEqual([66, 7]);
    expect(a.parts[1]!.text.startsWith('x\u0331')).toBe(true);
  });

  it('cuts a cluster longer than a part at code point boundaries, never inside a surrogate pair', () => {
    // 👍 followed by 40 skin tone modifiers is one cluster of 82 units; 67 would cut a pair.
    const a = analyzeText(`👍${'🏽'.repeat(40)}`);
    expect(a.characters).toBe(1);
    expect(units(a)).toEqual([66, 16]);
    expect(texts(a).join('')).toBe(a.text);
  });

  it('cuts an oversized cluster where the current part is full', () => {
    const a = analyzeText(`Hi x${'\u0331'.repeat(140)}`);
    expect(units(a)).toEqual([67, 67, 10]);
  });

  it('reports the distinct characters that forced UCS-2, clusters whole, in order of appearance', () => {
    const a = analyzeText('Привет 👍🏽, привет 👍🏽!');
    expect(a.ucs2Characters).toEqual(['П', 'р', 'и', 'в', 'е', 'т', '👍🏽', 'п']);
  });

  it('does not count GSM characters among those that forced UCS-2', () => {
    expect(analyzeText('Hello € 😀 {x}').ucs2Characters).toEqual(['😀']);
  });
});

describe('analyzeText: national language shift tables', () => {
  const turkish = 'Çok güzel şey, ığdır';

  it('needs UCS-2 for Turkish ş ğ ı without the Turkish tables', () => {
    expect(analyzeText(turkish)).toMatchObject({ encoding: 'UCS-2', ucs2Characters: ['ş', 'ı', 'ğ'] });
  });

  it('encodes Turkish with the single shift table: ş ğ ı cost two septets, and the UDH costs 3 octets', () => {
    const a = analyzeText(turkish, { shiftTables: ['turkish'] });
    expect(a).toMatchObject({
      encoding: 'GSM-7',
      characters: 20,
      units: 24,
      unitsPerPart: 155,
      shiftTable: { language: 'turkish', locking: false, single: true },
    });
  });

  it('prefers the Turkish locking table when it saves parts', () => {
    // 100 × ş: 200 septets with the single shift table (2 parts), 100 with the locking table (1 part).
    const a = analyzeText('ş'.repeat(100), { shiftTables: ['turkish'] });
    expect(a).toMatchObject({
      units: 100,
      unitsPerPart: 155,
      shiftTable: { language: 'turkish', locking: true, single: false },
    });
    expect(units(a)).toEqual([100]);
  });

  it('uses 149-septet parts with one shift table in a concatenated message', () => {
    const a = analyzeText(`ş${'a'.repeat(200)}`, { shiftTables: ['turkish'] });
    expect(a.shiftTable).toEqual({ language: 'turkish', locking: false, single: true });
    expect(units(a)).toEqual([149, 53]);
  });

  it('encodes Spanish á í ó ú with the Spanish single shift table (Spanish has no locking table)', () => {
    const spanish = 'Mañana está aquí, señor Muñoz: ¿sí o no?';
    expect(analyzeText(spanish)).toMatchObject({ encoding: 'UCS-2', ucs2Characters: ['á', 'í'] });
    const a = analyzeText(spanish, { shiftTables: ['spanish'] });
    expect(a).toMatchObject({
      encoding: 'GSM-7',
      units: spanish.length + 3,
      shiftTable: { language: 'spanish', locking: false, single: true },
    });
  });

  it('never uses a locking table for Spanish, even for a long accented text', () => {
    const a = analyzeText('á'.repeat(100), { shiftTables: ['spanish'] });
    expect(a).toMatchObject({
      units: 200,
      shiftTable: { language: 'spanish', locking: false, single: true },
    });
  });

  it('encodes Portuguese ç ã õ ê with the Portuguese single shift table', () => {
    const portuguese = 'Atenção: promoção não perca, você também!';
    expect(analyzeText(portuguese).encoding).toBe('UCS-2');
    expect(analyzeText(portuguese, { shiftTables: ['portuguese'] })).toMatchObject({
      encoding: 'GSM-7',
      units: portuguese.length + 6, // ç ã ç ã ã ê
      shiftTable: { language: 'portuguese', locking: false, single: true },
    });
  });

  it('uses Portuguese locking + single shift when only both together encode the text (152 / 146 septets)', () => {
    // º and ∞ are only in the locking table, which has no Φ: Φ then needs the single shift table.
    const short = analyzeText('Nº 1 ∞ Φ', { shiftTables: ['portuguese'] });
    expect(short).toMatchObject({
      encoding: 'GSM-7',
      units: 9,
      unitsPerPart: 152,
      shiftTable: { language: 'portuguese', locking: true, single: true },
    });
    const long = analyzeText(`Nº 1 ∞ Φ${'a'.repeat(200)}`, { shiftTables: ['portuguese'] });
    expect(units(long)).toEqual([146, 63]);
  });

  it('does not use shift tables for a text the default alphabet encodes', () => {
    expect(analyzeText('Hello', { shiftTables: ['turkish', 'portuguese'] }).shiftTable).toBeNull();
  });

  it('follows the caller’s language order when several tables encode the text equally well', () => {
    expect(analyzeText('á', { shiftTables: ['portuguese', 'spanish'] }).shiftTable?.language).toBe(
      'portuguese',
    );
    expect(analyzeText('á', { shiftTables: ['spanish', 'portuguese'] }).shiftTable?.language).toBe('spanish');
  });

  it('falls back to UCS-2 and reports only what no allowed table encodes', () => {
    expect(analyzeText('ş 😀', { shiftTables: ['turkish'] })).toMatchObject({
      encoding: 'UCS-2',
      shiftTable: null,
      ucs2Characters: ['😀'],
    });
  });

  it('falls back to UCS-2 when no single language covers the text', () => {
    // ğ is only Turkish, ã only Portuguese.
    const a = analyzeText('ğ ã', { shiftTables: ['turkish', 'portuguese'] });
    expect(a.encoding).toBe('UCS-2');
    expect(a.ucs2Characters).toHaveLength(1);
  });
});

describe('analyzeText: transliteration', () => {
  const curly = '“Hello” – it’s…\u00a0done\u200b';

  it('leaves look-alikes alone unless asked', () => {
    expect(analyzeText(curly)).toMatchObject({
      encoding: 'UCS-2',
      text: curly,
      transliterated: [],
      ucs2Characters: ['“', '”', '–', '’', '…', '\u00a0', '\u200b'],
    });
  });

  it('turns a curly-quoted text into GSM 7-bit and re-counts it', () => {
    const a = analyzeText(curly, { transliterate: true });
    expect(a).toMatchObject({
      encoding: 'GSM-7',
      text: '"Hello" - it\'s... done',
      units: 22,
      characters: 22,
    });
    expect(a.transliterated).toEqual([
      { from: '“', to: '"', count: 1 },
      { from: '”', to: '"', count: 1 },
      { from: '–', to: '-', count: 1 },
      { from: '’', to: "'", count: 1 },
      { from: '…', to: '...', count: 1 },
      { from: '\u00a0', to: ' ', count: 1 },
      { from: '\u200b', to: '', count: 1 },
    ]);
  });

  it('counts repeated replacements', () => {
    expect(analyzeText('‘a’ ‘b’', { transliterate: true }).transliterated).toEqual([
      { from: '‘', to: "'", count: 2 },
      { from: '’', to: "'", count: 2 },
    ]);
  });

  it('sends the original text when transliteration cannot avoid UCS-2', () => {
    const a = analyzeText('“Hello” 😀', { transliterate: true });
    expect(a).toMatchObject({ encoding: 'UCS-2', text: '“Hello” 😀', transliterated: [] });
    // Only the emoji really forces UCS-2: the quotes would have been replaced.
    expect(a.ucs2Characters).toEqual(['😀']);
  });

  it('re-normalises after removing an invisible character between a letter and its mark', () => {
    expect(analyzeText('Cafe\u200b\u0301', { transliterate: true })).toMatchObject({
      text: 'Café',
      encoding: 'GSM-7',
    });
  });

  it('combines with shift tables', () => {
    expect(analyzeText('“Şule”', { transliterate: true, shiftTables: ['turkish'] })).toMatchObject({
      text: '"Şule"',
      encoding: 'GSM-7',
      shiftTable: { language: 'turkish', single: true },
    });
  });

  it('leaves letters alone: ç stays ç and the text UCS-2', () => {
    expect(analyzeText('Façade', { transliterate: true })).toMatchObject({
      text: 'Façade',
      encoding: 'UCS-2',
    });
  });

  it('maps full-width ASCII forms to ASCII', () => {
    expect(analyzeText('ＡＢＣ１２３！', { transliterate: true }).text).toBe('ABC123!');
  });
});
