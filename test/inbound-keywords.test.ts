import { describe, expect, it } from 'vitest';
import {
  defaultKeywordSettings,
  effectiveKeywordSettings,
  foldKeyword,
  KEYWORD_LANGUAGES,
  keywordConflicts,
  languageOfRegion,
  matchKeyword,
  renderReply,
} from '../src/modules/inbound/inbound.keywords.js';

const en = defaultKeywordSettings('en').keywords;

describe('keyword folding', () => {
  it('folds width, case, edge punctuation and inner spaces', () => {
    expect(foldKeyword('ＳＴＯＰ')).toBe('stop');
    expect(foldKeyword('Ｓｔｏｐ！')).toBe('stop');
    expect(foldKeyword('Stop.')).toBe('stop');
    expect(foldKeyword('  "STOP!!"  ')).toBe('stop');
    expect(foldKeyword(' opt  out ')).toBe('opt out');
    expect(foldKeyword('OPT\tOUT\n')).toBe('opt out');
    expect(foldKeyword('¡Baja!')).toBe('baja');
    expect(foldKeyword('...')).toBe('');
  });

  it('drops diacritics so accented and plain spellings match, including Turkish dotted and dotless i', () => {
    expect(foldKeyword('ARRÊT')).toBe(foldKeyword('arret'));
    expect(foldKeyword('DÉSABONNER')).toBe('desabonner');
    expect(foldKeyword('İPTAL')).toBe('iptal');
    expect(foldKeyword('IPTAL')).toBe('iptal');
    expect(foldKeyword('ıptal')).toBe('iptal');
    expect(foldKeyword('BAŞLA')).toBe('basla');
    expect(foldKeyword('SÍ')).toBe('si');
  });

  it('folds Arabic: hamza forms, harakat and tatweel', () => {
    expect(foldKeyword('إلغاء')).toBe(foldKeyword('الغاء'));
    expect(foldKeyword('تـوقـف')).toBe(foldKeyword('توقف'));
    expect(foldKeyword('تَوَقَّفْ')).toBe(foldKeyword('توقف'));
    expect(foldKeyword(' توقف. ')).toBe('توقف');
  });
});

describe('keyword matching', () => {
  it('recognises every English opt-out keyword in any width and case', () => {
    for (const k of [
      'STOP',
      'stopall',
      'Unsubscribe',
      'cancel',
      'END',
      'quit',
      'REVOKE',
      'optout',
      'opt out',
    ]) {
      expect(matchKeyword(k, en)?.action, k).toBe('opt_out');
    }
    expect(matchKeyword('ＳＴＯＰ', en)).toEqual({ keyword: 'STOP', action: 'opt_out' });
    expect(matchKeyword('Stop.', en)).toEqual({ keyword: 'STOP', action: 'opt_out' });
    expect(matchKeyword(' opt  out ', en)).toEqual({ keyword: 'OPT OUT', action: 'opt_out' });
  });

  it('tells opt-in, YES and help apart', () => {
    expect(matchKeyword('start', en)?.action).toBe('opt_in');
    expect(matchKeyword('UNSTOP', en)?.action).toBe('opt_in');
    expect(matchKeyword('Yes!', en)?.action).toBe('opt_in_if_opted_out');
    expect(matchKeyword('help', en)?.action).toBe('help');
    expect(matchKeyword('Info?', en)?.action).toBe('help');
  });

  it('a sentence containing a keyword is an ordinary reply', () => {
    expect(matchKeyword('please stop sending', en)).toBeNull();
    expect(matchKeyword("don't stop", en)).toBeNull();
    expect(matchKeyword('STOPP', en)).toBeNull();
    expect(matchKeyword('', en)).toBeNull();
    expect(matchKeyword('!!!', en)).toBeNull();
  });

  it('localized lists add their words to the English ones', () => {
    const de = defaultKeywordSettings('de').keywords;
    expect(matchKeyword('Stopp', de)?.action).toBe('opt_out');
    expect(matchKeyword('abmelden', de)?.action).toBe('opt_out');
    expect(matchKeyword('STOP', de)?.action).toBe('opt_out');
    expect(matchKeyword('Ja', de)?.action).toBe('opt_in_if_opted_out');
    expect(matchKeyword('HILFE', de)?.action).toBe('help');
    const fr = defaultKeywordSettings('fr').keywords;
    expect(matchKeyword('arret', fr)).toEqual({ keyword: 'ARRÊT', action: 'opt_out' });
    expect(matchKeyword('aide', fr)?.action).toBe('help');
    const es = defaultKeywordSettings('es').keywords;
    expect(matchKeyword('Baja', es)?.action).toBe('opt_out');
    expect(matchKeyword('si', es)?.action).toBe('opt_in_if_opted_out');
    const tr = defaultKeywordSettings('tr').keywords;
    expect(matchKeyword('iptal', tr)).toEqual({ keyword: 'İPTAL', action: 'opt_out' });
    expect(matchKeyword('RET', tr)?.action).toBe('opt_out');
    const ar = defaultKeywordSettings('ar').keywords;
    expect(matchKeyword('الغاء', ar)).toEqual({ keyword: 'إلغاء', action: 'opt_out' });
    expect(matchKeyword('توقف', ar)?.action).toBe('opt_out');
    expect(matchKeyword('نعم', ar)?.action).toBe('opt_in_if_opted_out');
    const no = defaultKeywordSettings('no').keywords;
    expect(matchKeyword('avslutt', no)?.action).toBe('opt_out');
    expect(matchKeyword('Meld på', no)?.action).toBe('opt_in');
    expect(matchKeyword('hjelp', no)?.action).toBe('help');
    // English has no German words.
    expect(matchKeyword('abmelden', en)).toBeNull();
  });

  it('no default list of any language has a keyword in two lists', () => {
    for (const lang of KEYWORD_LANGUAGES) {
      expect(keywordConflicts(defaultKeywordSettings(lang).keywords), lang).toEqual([]);
    }
  });

  it('reports a keyword that folds into two lists, or to nothing', () => {
    const bad = { ...en, help: ['HELP', 'ｓｔｏｐ'] };
    expect(keywordConflicts(bad)).toEqual(['"ｓｔｏｐ" is in both keywords.optOut and keywords.help']);
    expect(keywordConflicts({ ...en, optIn: ['...'] })).toEqual([
      'keywords.optIn: "..." has no letters or digits',
    ]);
  });
});

describe('languages and replies', () => {
  it('chooses the language from the region, English where we have no default', () => {
    expect(languageOfRegion('DE')).toBe('de');
    expect(languageOfRegion('at')).toBe('de');
    expect(languageOfRegion('FR')).toBe('fr');
    expect(languageOfRegion('MX')).toBe('es');
    expect(languageOfRegion('TR')).toBe('tr');
    expect(languageOfRegion('SA')).toBe('ar');
    expect(languageOfRegion('NO')).toBe('no');
    expect(languageOfRegion('GB')).toBe('en');
    expect(languageOfRegion('JP')).toBe('en');
  });

  it('overrides replace only the fields given; the language can be chosen against the region', () => {
    const s = effectiveKeywordSettings('DE', { replies: { help: 'Call 0800 123' } });
    expect(s.language).toBe('de');
    expect(s.replies.help).toBe('Call 0800 123');
    expect(s.replies.optOut).toContain('abgemeldet');
    const fr = effectiveKeywordSettings('DE', { language: 'fr', keywords: { help: ['SOS'] } });
    expect(fr.language).toBe('fr');
    expect(fr.keywords.help).toEqual(['SOS']);
    expect(fr.keywords.optOut).toContain('ARRÊT');
  });

  it('every language has its own reply texts naming the org unit', () => {
    const texts = new Set<string>();
    for (const lang of KEYWORD_LANGUAGES) {
      const r = defaultKeywordSettings(lang).replies;
      for (const t of [r.optOut, r.optIn, r.help]) {
        expect(t, lang).toContain('{{org_unit.name}}');
        texts.add(t);
      }
    }
    expect(texts.size).toBe(KEYWORD_LANGUAGES.length * 3);
    expect(renderReply('{{org_unit.name}}: hi {{org_unit.name}}', 'Acme')).toBe('Acme: hi Acme');
  });
});
