import { describe, expect, it } from 'vitest';
import { type CountryCode, MAX_PHONE_INPUT_LENGTH, maskPhone, normalizeDigits, parsePhone } from './index.js';

describe('parsePhone', () => {
  describe('valid numbers, international form without a default region', () => {
    it.each([
      ['+49 1512 3456789', '+4915123456789', 'DE', '49', 'mobile', '01512 3456789'],
      ['+49 30 1234567', '+49301234567', 'DE', '49', 'fixed_line', '030 1234567'],
      ['+44 7400 123456', '+447400123456', 'GB', '44', 'mobile', '07400 123456'],
      ['+44 20 7946 0958', '+442079460958', 'GB', '44', 'fixed_line', '020 7946 0958'],
      ['+1 201 555 0123', '+12015550123', 'US', '1', 'fixed_line_or_mobile', '(201) 555-0123'],
      ['+33 6 12 34 56 78', '+33612345678', 'FR', '33', 'mobile', '06 12 34 56 78'],
      ['+90 532 123 45 67', '+905321234567', 'TR', '90', 'mobile', '0532 123 45 67'],
      ['+91 98765 43210', '+919876543210', 'IN', '91', 'mobile', '098765 43210'],
      ['+20 10 01234567', '+201001234567', 'EG', '20', 'mobile', '010 01234567'],
    ])('parses %s as %s (%s, %s)', (input, e164, country, callingCode, lineType, national) => {
      expect(parsePhone(input)).toEqual({
        ok: true,
        e164,
        country,
        countryCallingCode: callingCode,
        lineType,
        national,
        input,
      });
    });

    it('ignores the default region when the number carries its own calling code', () => {
      expect(parsePhone('+44 7400 123456', 'DE')).toMatchObject({
        ok: true,
        e164: '+447400123456',
        country: 'GB',
      });
    });

    it('returns a null country for a non-geographic calling code', () => {
      expect(parsePhone('+800 1234 5678')).toMatchObject({
        ok: true,
        e164: '+80012345678',
        country: null,
        countryCallingCode: '800',
        lineType: 'toll_free',
      });
    });
  });

  describe('national form with a default region', () => {
    it.each<[string, CountryCode, string]>([
      ['01512 3456789', 'DE', '+4915123456789'],
      ['(030) 1234567', 'DE', '+49301234567'],
      ['07400 123456', 'GB', '+447400123456'],
      ['(201) 555-0123', 'US', '+12015550123'],
      ['06 12 34 56 78', 'FR', '+33612345678'],
      ['0532 123 45 67', 'TR', '+905321234567'],
      ['98765 43210', 'IN', '+919876543210'],
      ['010 0123 4567', 'EG', '+201001234567'],
    ])('reads %s in %s as %s', (input, region, e164) => {
      expect(parsePhone(input, region)).toMatchObject({ ok: true, e164, country: region });
    });

    it('reports invalid_country for a national number without a default region', () => {
      expect(parsePhone('01512 3456789')).toEqual({
        ok: false,
        reason: 'invalid_country',
        input: '01512 3456789',
      });
    });

    it('accepts the region international prefix 00 in DE', () => {
      expect(parsePhone('0049 1512 3456789', 'DE')).toMatchObject({ ok: true, e164: '+4915123456789' });
      expect(parsePhone('00 1 201 555 0123', 'DE')).toMatchObject({ ok: true, e164: '+12015550123' });
    });

    it('accepts the region international prefix 011 in US', () => {
      expect(parsePhone('011 49 1512 3456789', 'US')).toMatchObject({ ok: true, e164: '+4915123456789' });
    });

    it('reports invalid_country for the 00 prefix without a default region', () => {
      expect(parsePhone('0049 1512 3456789')).toMatchObject({ ok: false, reason: 'invalid_country' });
    });

    it('reports invalid_country for an unsupported default region', () => {
      expect(parsePhone('+4915123456789', 'XX' as CountryCode)).toMatchObject({
        ok: false,
        reason: 'invalid_country',
      });
    });
  });

  describe('separators and digit scripts', () => {
    it.each([
      ['+49-1512-3456789'],
      ['+49.1512.3456789'],
      ['+49 (1512) 3456789'],
      ['+49 1512/3456789'],
      ['+49 (0)1512 3456789'],
      ['+ 49 1512 3456789'],
      ['  +49 1512 3456789\t'],
      ['+49\u00A01512\u202F3456789'],
      ['+49\u20131512\u20133456789'],
    ])('accepts %j', (input) => {
      expect(parsePhone(input)).toMatchObject({ ok: true, e164: '+4915123456789', input });
    });

    it('accepts full-width digits, plus and separators', () => {
      expect(parsePhone('＋４９\u3000１５１２－３４５６７８９')).toMatchObject({
        ok: true,
        e164: '+4915123456789',
      });
    });

    it('accepts Arabic-Indic digits', () => {
      expect(parsePhone('+٢٠ ١٠ ٠١٢٣٤٥٦٧')).toMatchObject({ ok: true, e164: '+201001234567', country: 'EG' });
    });

    it('accepts Extended Arabic-Indic digits in national form', () => {
      expect(parsePhone('۰۹۱۲ ۳۴۵ ۶۷۸۹', 'IR')).toMatchObject({
        ok: true,
        e164: '+989123456789',
        country: 'IR',
      });
    });

    it('returns the input unchanged, not the normalised text', () => {
      const input = '＋４９ １５１２ ３４５６７８９';
      expect(parsePhone(input).input).toBe(input);
    });
  });

  describe('tel: URIs', () => {
    it.each([['tel:+4915123456789'], ['TEL:+49-1512-3456789'], [' tel: +49 1512 3456789']])(
      'accepts the plain prefix in %j',
      (input) => {
        expect(parsePhone(input)).toMatchObject({ ok: true, e164: '+4915123456789' });
      },
    );

    it('reads a tel: number without + in the default region', () => {
      expect(parsePhone('tel:015123456789', 'DE')).toMatchObject({ ok: true, e164: '+4915123456789' });
    });

    it.each([
      ['tel:015123456789;phone-context=+49'],
      ['tel:+4915123456789;ext=12'],
      ['tel:'],
      ['tel:tel:+4915123456789'],
    ])('rejects %j as not_a_number', (input) => {
      expect(parsePhone(input, 'DE')).toMatchObject({ ok: false, reason: 'not_a_number' });
    });
  });

  describe('junk around or inside the number', () => {
    it.each([
      ['+49 1512 3456789; DROP TABLE x'],
      ["+4915123456789' OR '1'='1"],
      ['+4915123456789--'.concat(' comment')],
      ['Call +49 1512 3456789'],
      ['+49 1512 3456789 please'],
      ['+49 1512 3456789 📱'],
      ['📱+4915123456789'],
      ['+49 1512 3456789 x12'],
      ['+49 1512 3456789 ext. 12'],
      ['+49 1512 3456789#'],
      ['*31#+4915123456789'],
      ['+49 1512 3456789, +49 1512 3456780'],
      ['+49 1512\n3456789'],
      ['49+15123456789'],
      ['++4915123456789'],
      ['(+49) 1512 3456789'],
      ['+49 1512 3456789\u0000'],
      ['<script>+4915123456789</script>'],
    ])('rejects %j as not_a_number', (input) => {
      expect(parsePhone(input, 'DE')).toEqual({ ok: false, reason: 'not_a_number', input });
    });

    it('rejects letters as not_a_number', () => {
      expect(parsePhone('O151 23456789', 'DE')).toMatchObject({ ok: false, reason: 'not_a_number' });
      expect(parsePhone('0800 FLOWERS', 'US')).toMatchObject({ ok: false, reason: 'not_a_number' });
    });
  });

  describe('empty, short, long and unassigned', () => {
    it.each([[''], ['   '], ['+'], ['tel:+'], ['-- ()']])('rejects %j as not_a_number', (input) => {
      expect(parsePhone(input, 'DE')).toMatchObject({ ok: false, reason: 'not_a_number' });
    });

    it.each([['+4'], ['+49'], ['+49151'], ['1']])('rejects %j as too_short', (input) => {
      expect(parsePhone(input, 'DE')).toMatchObject({ ok: false, reason: 'too_short' });
    });

    it.each([['+49151234567891234567'], ['+49 1512 345678901234']])('rejects %j as too_long', (input) => {
      expect(parsePhone(input)).toMatchObject({ ok: false, reason: 'too_long' });
    });

    it('rejects an unknown calling code as invalid_country', () => {
      expect(parsePhone('+999 123456')).toMatchObject({ ok: false, reason: 'invalid_country' });
    });

    it('rejects a number of plausible length that is not assigned as invalid', () => {
      expect(parsePhone('+1 200 555 0123')).toMatchObject({ ok: false, reason: 'invalid' });
      expect(parsePhone('+49 1512')).toMatchObject({ ok: false, reason: 'invalid' });
    });

    it(`rejects input longer than ${MAX_PHONE_INPUT_LENGTH} characters as too_long before looking at it`, () => {
      const padded = `+4915123456789${' '.repeat(MAX_PHONE_INPUT_LENGTH - 13)}`;
      expect(padded.length).toBe(MAX_PHONE_INPUT_LENGTH + 1);
      expect(parsePhone(padded)).toMatchObject({ ok: false, reason: 'too_long' });
      expect(parsePhone(padded.trimEnd())).toMatchObject({ ok: true });
      expect(parsePhone('x'.repeat(100_000))).toMatchObject({ ok: false, reason: 'too_long' });
    });

    it(`accepts input of exactly ${MAX_PHONE_INPUT_LENGTH} characters`, () => {
      const padded = `+4915123456789${' '.repeat(MAX_PHONE_INPUT_LENGTH - 14)}`;
      expect(parsePhone(padded)).toMatchObject({ ok: true, e164: '+4915123456789' });
    });
  });
});

describe('normalizeDigits', () => {
  it('maps full-width, Arabic-Indic and Extended Arabic-Indic digits to ASCII', () => {
    expect(normalizeDigits('０１２３４５６７８９')).toBe('0123456789');
    expect(normalizeDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(normalizeDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
  });

  it('leaves every other character in place', () => {
    expect(normalizeDigits('+49 (٣٠) ab-１')).toBe('+49 (30) ab-1');
    expect(normalizeDigits('')).toBe('');
  });
});

describe('maskPhone', () => {
  it('keeps the calling code, the next 3 digits and the last 2', () => {
    expect(maskPhone('+491512345678')).toBe('+49151*****78');
    expect(maskPhone('+4915123456789')).toBe('+49151******89');
    expect(maskPhone('+12015550123')).toBe('+1201*****23');
    expect(maskPhone('+201001234567')).toBe('+20100*****67');
  });

  it('recognises three-digit calling codes', () => {
    expect(maskPhone('+380501234567')).toBe('+380501****67');
  });

  it('hides at least 4 digits of a short number', () => {
    expect(maskPhone('+49301234')).toBe('+49****34');
    expect(maskPhone('+49123')).toBe('+49***');
  });

  it('keeps only the last 2 digits of text that is not E.164', () => {
    expect(maskPhone('0151 2345 6789')).toBe('**********89');
    expect(maskPhone('12345')).toBe('*****');
    expect(maskPhone('not a phone')).toBe('');
  });

  it('never returns the full number', () => {
    for (const e164 of ['+4915123456789', '+12015550123', '+80012345678', '+491234']) {
      expect(maskPhone(e164)).not.toBe(e164);
      expect(maskPhone(e164)).toContain('*');
    }
  });
});
