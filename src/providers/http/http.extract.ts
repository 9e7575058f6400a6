import { z } from 'zod';

/**
 * Reading values out of gateway answers and callbacks: a small JSON path (`$.messages[0].id`,
 * `messages.0.id`, `data['message-id']`) and a regular expression whose first group (or whole match)
 * is the value. Both are configured by administrators and validated when the account is saved.
 */

type Segment = string | number;

const SEGMENT = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|\.(\d+))/;

/** Parses a path into its segments; `null` when it is not a valid path. */
export function parsePath(path: string): Segment[] | null {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  const out: Segment[] = [];
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m) return null;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
    else if (m[4] !== undefined) out.push(m[4]);
    else if (m[5] !== undefined) out.push(Number(m[5]));
    rest = rest.slice(m[0].length);
  }
  return out.length > 0 ? out : null;
}

/** The value at `path` in `value`, or `undefined`. */
export function atPath(value: unknown, path: string): unknown {
  const segments = parsePath(path);
  if (!segments) return undefined;
  let v: unknown = value;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      if (typeof s !== 'number') return undefined;
      v = v[s];
    } else {
      if (!Object.hasOwn(v, String(s))) return undefined;
      v = (v as Record<string, unknown>)[String(s)];
    }
  }
  return v;
}

/** A scalar as text (numbers and booleans as written in JSON); objects and missing values are `undefined`. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The first capture group of `pattern` in `text` (the whole match when it has no group), or `undefined`. */
export function regexValue(text: string, pattern: string): string | undefined {
  const m = new RegExp(pattern).exec(text);
  if (!m) return undefined;
  return m[1] ?? m[0];
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON path setting: checked to parse when saved. */
export const jsonPathSetting = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((p) => parsePath(p) !== null, { error: 'not a valid JSON path (e.g. $.messages[0].id)' });

/** A regular expression setting: checked to compile when saved. */
export const regexSetting = z
  .string()
  .min(1)
  .max(300)
  .refine(
    (p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'not a valid regular expression' },
  );
