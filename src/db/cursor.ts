import { AppError } from '../core/errors.js';

/** Opaque keyset cursors: base64url of the sort key values. A tampered cursor is a validation error. */
export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((v) => typeof v === 'string')) {
      return parsed as string[];
    }
  } catch {
    // fall through
  }
  throw new AppError('validation.failed', 'The cursor is not valid; start again without it.', {
    issues: [{ path: ['cursor'], message: 'invalid cursor' }],
  });
}
