import { ApiError } from '../api/client';
import { t } from '../i18n';

/** A failure in plain words: the server's `detail`, or a network message; never a stack trace. */
export function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('common.networkError');
    if (err.status === 401 && err.problem.code === 'auth.unauthenticated') return t('common.sessionEnded');
    const issues = err.problem.issues?.map((i) => i.message).filter(Boolean) ?? [];
    if (err.problem.detail) return err.problem.detail;
    if (issues.length) return issues.join(' ');
    return t('common.error');
  }
  return t('common.error');
}

/** Errors per field (top-level body property) from a validation problem, for `error=` props. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const i of err.problem.issues ?? []) {
    const key = i.path.filter((p) => typeof p === 'string').join('.');
    if (key && !out[key]) out[key] = i.message;
  }
  return out;
}
