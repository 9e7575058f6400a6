import { describe, expect, it } from 'vitest';
import { buildCostTable } from './encoding.tables.js';
import {
  DEFAULT_ALPHABET,
  DEFAULT_EXTENSION,
  GSM_MULTI_PART_SEPTETS,
  GSM_SINGLE_PART_SEPTETS,
  gsmPartCapacity,
  gsmSeptetLength,
  isGsmCharacter,
  NATIONAL_TABLES,
  SHIFT_LANGUAGES,
  TRANSLITERATIONS,
  UCS2_MULTI_PART_UNITS,
  UCS2_SINGLE_PART_UNITS,
  ucs2PartCapacity,
  udhOctets,
} from './index.js';

describe('GSM tables', () => {
  it('has 128 positions per basic table, with ESC at 0x1B', () => {
    const basics = [DEFAULT_ALPHABET, NATIONAL_TABLES.turkish.locking!, NATIONAL_TABLES.portuguese.locking!];
    for (const table of basics) {
      expect(table).toHaveLength(128);
      expect(table[0x1b]).toBe('\u001b');
      expect(new Set(table).size).toBe(128);
    }
  });

  it.each([
    [0x00, '@'],
    [0x02, '$'],
    [0x09, 'Ç'],
    [0x11, '_'],
    [0x24, '¤'],
    [0x40, '¡'],
    [0x60, '¿'],
    [0x7f, 'à'],
  ])('places septet 0x%s of the default alphabet as in TS 23.038 §6.2.1', (septet, char) => {
    expect(DEFAULT_ALPHABET[septet]).toBe(char);
  });

  it('has the default extension table of TS 23.038 §6.2.1.1', () => {
    expect(DEFAULT_EXTENSION.map(([, c]) => c).join('')).toBe('\f^{}\\[~]|€');
  });

  it('has the national tables of TS 23.038 Annex A where they differ from the default', () => {
    expect(NATIONAL_TABLES.turkish.locking![0x07]).toBe('ı');
    expect(NATIONAL_TABLES.turkish.locking![0x40]).toBe('İ');
    expect(NATIONAL_TABLES.turkish.locking![0x60]).toBe('ç');
    expect(NATIONAL_TABLES.portuguese.locking![0x15]).toBe('∞');
    expect(NATIONAL_TABLES.portuguese.locking![0x7d]).toBe('`');
    expect(NATIONAL_TABLES.spanish.locking).toBeNull();
    expect(new Map(NATIONAL_TABLES.turkish.single).get(0x73)).toBe('ş');
    expect(new Map(NATIONAL_TABLES.spanish.single).get(0x09)).toBe('ç');
    expect(new Map(NATIONAL_TABLES.portuguese.single).get(0x05)).toBe('ê');
  });

  it('keeps the default extension characters in every single shift table', () => {
    for (const language of SHIFT_LANGUAGES) {
      const single = new Map(NATIONAL_TABLES[language].single);
      for (const [septet, char] of DEFAULT_EXTENSION) expect(single.get(septet)).toBe(char);
    }
  });

  it('measures septets in the default alphabet', () => {
    expect(gsmSeptetLength('abc')).toBe(3);
    expect(gsmSeptetLength('a€')).toBe(3);
    expect(gsmSeptetLength('')).toBe(0);
    expect(gsmSeptetLength('aç')).toBeNull();
    expect(isGsmCharacter('Ç')).toBe(true);
    expect(isGsmCharacter('ç')).toBe(false);
    expect(isGsmCharacter('ab')).toBe(false);
  });
});

describe('part capacities', () => {
  it('are 160 / 153 septets and 70 / 67 units without shift tables', () => {
    expect([GSM_SINGLE_PART_SEPTETS, GSM_MULTI_PART_SEPTETS]).toEqual([160, 153]);
    expect([UCS2_SINGLE_PART_UNITS, UCS2_MULTI_PART_UNITS]).toEqual([70, 67]);
  });

  it('shrink by the shift IEs: 155 / 149 with one table, 152 / 146 with two', () => {
    expect(gsmPartCapacity(udhOctets(false, 1))).toBe(155);
    expect(gsmPartCapacity(udhOctets(true, 1))).toBe(149);
    expect(gsmPartCapacity(udhOctets(false, 2))).toBe(152);
    expect(gsmPartCapacity(udhOctets(true, 2))).toBe(146);
    expect(ucs2PartCapacity(udhOctets(true, 0))).toBe(67);
  });
});

describe('transliterations', () => {
  it('map only characters that no supported GSM table encodes, to default GSM characters', () => {
    const tables = [
      buildCostTable(DEFAULT_ALPHABET, DEFAULT_EXTENSION),
      ...SHIFT_LANGUAGES.flatMap((language) => {
        const { locking, single } = NATIONAL_TABLES[language];
        return [
          buildCostTable(DEFAULT_ALPHABET, single),
          ...(locking ? [buildCostTable(locking, single)] : []),
        ];
      }),
    ];
    for (const [from, to] of TRANSLITERATIONS) {
      for (const costs of tables)
        expect(costs[from.charCodeAt(0)] ?? 0, `U+${from.charCodeAt(0).toString(16)}`).toBe(0);
      expect(gsmSeptetLength(to), JSON.stringify(to)).not.toBeNull();
    }
  });
});
