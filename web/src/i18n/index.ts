import { en, type MessageKey, type Messages } from './en.js';

export type { MessageKey, Messages };

/** Registered languages; add one by writing `xx.ts` of type Messages and listing it here. */
const LANGUAGES: Record<string, Messages> = { en };
let current: Messages = en;
let locale = 'en';

export function setLanguage(lang: string) {
  const found = LANGUAGES[lang] ?? LANGUAGES[lang.split('-')[0] ?? ''];
  if (found) {
    current = found;
    locale = lang;
  }
}

/** The UI string for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = current[key] ?? en[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m: string, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Dates and numbers in the user's locale (browser default, e.g. de-DE shows 22.11.2026, 10:15). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatNumber(n: number): string {
  return n.toLocaleString(locale === 'en' ? undefined : locale);
}

export function formatMoney(amountMinor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amountMinor / 100);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}
