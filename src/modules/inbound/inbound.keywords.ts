import type { KeywordAction } from './inbound.table.js';

/**
 * Keywords (STOP, START, HELP, …): how a text is compared with the keyword lists, the default lists and
 * reply texts per language, and which language an org unit's region speaks. Pure functions, no I/O.
 */

/** Languages with default keyword lists and reply texts; `en` is the fallback. */
export const KEYWORD_LANGUAGES = ['en', 'de', 'fr', 'es', 'tr', 'ar', 'no'] as const;
export type KeywordLanguage = (typeof KEYWORD_LANGUAGES)[number];

/** The keyword lists of one org unit, one per action, as written (display form). */
export interface KeywordLists {
  optOut: readonly string[];
  optIn: readonly string[];
  /** YES: an opt-in only for a number that has opted out (otherwise "yes" is an ordinary reply). */
  optInIfOptedOut: readonly string[];
  help: readonly string[];
}

/** The reply texts; `{{org_unit.name}}` is replaced by the unit's name. */
export interface KeywordReplies {
  optOut: string;
  optIn: string;
  help: string;
}

export interface KeywordSettings {
  language: KeywordLanguage;
  keywords: KeywordLists;
  replies: KeywordReplies;
}

/** What a unit stored: any field left out falls back to the default of the unit's language. */
export interface KeywordOverrides {
  language?: KeywordLanguage;
  keywords?: Partial<KeywordLists>;
  replies?: Partial<KeywordReplies>;
}

/**
 * The form texts and keywords are compared in: NFKC (full-width `ＳＴＯＰ` → `STOP`), lower case,
 * diacritics and other combining marks removed (`ARRÊT` = `ARRET`, Arabic `إلغاء` = `الغاء`, Turkish
 * `İPTAL` = `IPTAL` = `iptal`; dotless `ı` counts as `i`, `ß` as `ss`, the Arabic tatweel is dropped),
 * leading and trailing whitespace, punctuation and symbols trimmed (`Stop.`, `"STOP!"`), and inner
 * whitespace collapsed to one space (` opt  out ` = `opt out`).
 */
export function foldKeyword(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ı/g, 'i')
    .replace(/ß/g, 'ss')
    .replace(/\u0640/g, '')
    .normalize('NFC')
    .replace(/^[\s\p{P}\p{S}\p{Cc}\p{Cf}]+|[\s\p{P}\p{S}\p{Cc}\p{Cf}]+$/gu, '')
    .replace(/\s+/gu, ' ');
}

const EN: KeywordLists = {
  optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT'],
  optIn: ['START', 'UNSTOP'],
  optInIfOptedOut: ['YES'],
  help: ['HELP', 'INFO'],
};

/** Keywords each language adds to the English ones (people often answer in English anyway). */
const LOCAL: Record<KeywordLanguage, KeywordLists> = {
  en: { optOut: [], optIn: [], optInIfOptedOut: [], help: [] },
  de: {
    optOut: ['STOPP', 'ABMELDEN', 'ABBESTELLEN', 'AUSTRAGEN', 'ENDE'],
    optIn: ['ANMELDEN'],
    optInIfOptedOut: ['JA'],
    help: ['HILFE'],
  },
  fr: {
    optOut: ['ARRÊT', 'ARRETER', 'DÉSABONNER', 'DÉSINSCRIRE'],
    optIn: ['DÉMARRER', 'REPRENDRE'],
    optInIfOptedOut: ['OUI'],
    help: ['AIDE'],
  },
  es: {
    optOut: ['BAJA', 'PARAR', 'DETENER', 'CANCELAR'],
    optIn: ['ALTA', 'INICIAR'],
    optInIfOptedOut: ['SÍ'],
    help: ['AYUDA'],
  },
  tr: {
    optOut: ['İPTAL', 'DUR', 'RET'],
    optIn: ['BAŞLA'],
    optInIfOptedOut: ['EVET'],
    help: ['YARDIM'],
  },
  ar: {
    optOut: ['توقف', 'إلغاء', 'إيقاف'],
    optIn: ['ابدأ', 'اشتراك'],
    optInIfOptedOut: ['نعم'],
    help: ['مساعدة'],
  },
  no: {
    optOut: ['STOPP', 'AVSLUTT', 'AVMELD'],
    optIn: ['MELD PÅ'],
    optInIfOptedOut: ['JA'],
    help: ['HJELP'],
  },
};

const REPLIES: Record<KeywordLanguage, KeywordReplies> = {
  en: {
    optOut:
      'You have been unsubscribed from {{org_unit.name}} and will receive no further messages. Reply START to subscribe again.',
    optIn: 'You are subscribed to {{org_unit.name}} messages again. Reply STOP to unsubscribe.',
    help: '{{org_unit.name}}: reply STOP to unsubscribe, START to subscribe again, HELP for this text.',
  },
  de: {
    optOut:
      'Sie wurden von {{org_unit.name}} abgemeldet und erhalten keine weiteren Nachrichten. Antworten Sie START, um sich wieder anzumelden.',
    optIn: 'Sie erhalten wieder Nachrichten von {{org_unit.name}}. Antworten Sie STOP, um sich abzumelden.',
    help: '{{org_unit.name}}: Antworten Sie STOP zum Abmelden, START zum Anmelden, HILFE für diesen Text.',
  },
  fr: {
    optOut:
      'Vous êtes désinscrit de {{org_unit.name}} et ne recevrez plus de messages. Répondez START pour vous réinscrire.',
    optIn: 'Vous recevez à nouveau les messages de {{org_unit.name}}. Répondez STOP pour vous désinscrire.',
    help: '{{org_unit.name}} : répondez STOP pour vous désinscrire, START pour vous réinscrire, AIDE pour ce texte.',
  },
  es: {
    optOut:
      'Se ha dado de baja de {{org_unit.name}} y no recibirá más mensajes. Responda START para volver a suscribirse.',
    optIn: 'Vuelve a recibir mensajes de {{org_unit.name}}. Responda STOP para darse de baja.',
    help: '{{org_unit.name}}: responda STOP para darse de baja, START para suscribirse, AYUDA para este texto.',
  },
  tr: {
    optOut:
      '{{org_unit.name}} aboneliğiniz iptal edildi, artık mesaj almayacaksınız. Yeniden abone olmak için START yazın.',
    optIn: '{{org_unit.name}} mesajlarını yeniden alacaksınız. Aboneliği iptal etmek için STOP yazın.',
    help: '{{org_unit.name}}: iptal için STOP, yeniden abonelik için START, bu metin için YARDIM yazın.',
  },
  ar: {
    optOut: 'تم إلغاء اشتراكك في رسائل {{org_unit.name}} ولن تصلك رسائل أخرى. أرسل START لإعادة الاشتراك.',
    optIn: 'تمت إعادة اشتراكك في رسائل {{org_unit.name}}. أرسل STOP لإلغاء الاشتراك.',
    help: '{{org_unit.name}}: أرسل STOP لإلغاء الاشتراك، START للاشتراك، مساعدة لهذا النص.',
  },
  no: {
    optOut:
      'Du er meldt av {{org_unit.name}} og får ingen flere meldinger. Svar START for å melde deg på igjen.',
    optIn: 'Du får meldinger fra {{org_unit.name}} igjen. Svar STOPP for å melde deg av.',
    help: '{{org_unit.name}}: svar STOPP for å melde deg av, START for å melde deg på, HJELP for denne teksten.',
  },
};

/** Regions (ISO 3166-1 alpha-2) whose default keyword language is not English. */
const REGION_LANGUAGE: Record<string, KeywordLanguage> = {
  DE: 'de',
  AT: 'de',
  CH: 'de',
  LI: 'de',
  FR: 'fr',
  BE: 'fr',
  LU: 'fr',
  MC: 'fr',
  SN: 'fr',
  CI: 'fr',
  ES: 'es',
  MX: 'es',
  AR: 'es',
  CO: 'es',
  CL: 'es',
  PE: 'es',
  VE: 'es',
  EC: 'es',
  GT: 'es',
  CU: 'es',
  BO: 'es',
  DO: 'es',
  HN: 'es',
  PY: 'es',
  SV: 'es',
  NI: 'es',
  CR: 'es',
  PA: 'es',
  UY: 'es',
  TR: 'tr',
  CY: 'tr',
  SA: 'ar',
  AE: 'ar',
  EG: 'ar',
  MA: 'ar',
  DZ: 'ar',
  TN: 'ar',
  LY: 'ar',
  JO: 'ar',
  LB: 'ar',
  SY: 'ar',
  IQ: 'ar',
  KW: 'ar',
  QA: 'ar',
  BH: 'ar',
  OM: 'ar',
  YE: 'ar',
  SD: 'ar',
  PS: 'ar',
  NO: 'no',
  SJ: 'no',
};

/** The default keyword language of an org unit's region; English where we have no other default. */
export function languageOfRegion(region: string): KeywordLanguage {
  return REGION_LANGUAGE[region.toUpperCase()] ?? 'en';
}

const merge = (a: readonly string[], b: readonly string[]) => {
  const seen = new Set<string>();
  return [...a, ...b].filter((k) => {
    const f = foldKeyword(k);
    if (seen.has(f)) return false;
    seen.add(f);
    return true;
  });
};

/** The defaults of a language: the English keywords plus the language's own, and its reply texts. */
export function defaultKeywordSettings(language: KeywordLanguage): KeywordSettings {
  const local = LOCAL[language];
  return {
    language,
    keywords: {
      optOut: merge(EN.optOut, local.optOut),
      optIn: merge(EN.optIn, local.optIn),
      optInIfOptedOut: merge(EN.optInIfOptedOut, local.optInIfOptedOut),
      help: merge(EN.help, local.help),
    },
    replies: { ...REPLIES[language] },
  };
}

/** A unit's settings: its stored overrides over the defaults of its language (stored, else its region's). */
export function effectiveKeywordSettings(
  region: string,
  overrides: KeywordOverrides | null,
): KeywordSettings {
  const language = overrides?.language ?? languageOfRegion(region);
  const d = defaultKeywordSettings(language);
  return {
    language,
    keywords: { ...d.keywords, ...overrides?.keywords },
    replies: { ...d.replies, ...overrides?.replies },
  };
}

const ACTION_OF: ReadonlyArray<[keyof KeywordLists, KeywordAction]> = [
  ['optOut', 'opt_out'],
  ['optIn', 'opt_in'],
  ['optInIfOptedOut', 'opt_in_if_opted_out'],
  ['help', 'help'],
];

/**
 * The keyword a text is, if any: the whole text (folded) must equal one keyword of a list (folded);
 * a sentence that merely contains "stop" is an ordinary reply. Returns the keyword as the list spells it.
 */
export function matchKeyword(
  text: string,
  keywords: KeywordLists,
): { keyword: string; action: KeywordAction } | null {
  const folded = foldKeyword(text);
  if (folded === '') return null;
  for (const [list, action] of ACTION_OF) {
    const hit = keywords[list].find((k) => foldKeyword(k) === folded);
    if (hit !== undefined) return { keyword: hit, action };
  }
  return null;
}

/**
 * Keywords that fold to the same form in two lists (or to nothing): a configuration error, because the
 * text could not say which action it asks for. Returns human-readable problems, empty when fine.
 */
export function keywordConflicts(keywords: KeywordLists): string[] {
  const owner = new Map<string, keyof KeywordLists>();
  const problems: string[] = [];
  for (const [list] of ACTION_OF) {
    for (const k of keywords[list]) {
      const f = foldKeyword(k);
      if (f === '') {
        problems.push(`keywords.${list}: "${k}" has no letters or digits`);
        continue;
      }
      const other = owner.get(f);
      if (other && other !== list) problems.push(`"${k}" is in both keywords.${other} and keywords.${list}`);
      owner.set(f, list);
    }
  }
  return problems;
}

/** A reply text with the unit's name filled in. */
export function renderReply(text: string, orgUnitName: string): string {
  return text.replaceAll('{{org_unit.name}}', orgUnitName);
}
