import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

/** An API failure with the server's problem+json body (stable `code`, plain-words `detail`, field `issues`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title);
  }
  /** The message for one form field, from the problem's `issues` (path joined by dots). */
  fieldError(field: string): string | undefined {
    return this.problem.issues?.find((i) => i.path.join('.') === field || i.path[0] === field)?.message;
  }
}

/** Network failure or a non-JSON answer: still shown in plain words, never as a stack. */
function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && 'code' in body && 'detail' in body) return body as Problem;
  return { code: 'http.error', detail: '', status, title: `HTTP ${status}`, type: 'about:blank' };
}

let csrfToken: string | undefined;
/** Set from /api/auth/me or the login answer; unsafe requests must echo it (X-CSRF-Token). */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

type ExpiryListener = () => void;
const expiryListeners = new Set<ExpiryListener>();
/** Called when a request that needs a session gets 401: the session ended (expired, signed out elsewhere). */
export function onSessionExpired(fn: ExpiryListener): () => void {
  expiryListeners.add(fn);
  return () => expiryListeners.delete(fn);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Requests whose 401 means "wrong password" or "not signed in yet", not "session expired". */
const NO_EXPIRY = ['/api/auth/login', '/api/setup'];

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method) && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !NO_EXPIRY.includes(path)) for (const fn of expiryListeners) fn();
    return response;
  },
};

/** The typed client: paths, parameters and bodies come from the server's OpenAPI document (schema.d.ts). */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  credentials: 'same-origin',
});
api.use(sessionMiddleware);

/**
 * Unwraps an openapi-fetch result: the data, or an ApiError with the problem body.
 *   const me = await must(api.GET('/api/auth/me'));
 */
export async function must<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch {
    throw new ApiError(0, {
      code: 'network',
      detail: '',
      status: 0,
      title: 'network',
      type: 'about:blank',
    });
  }
  if (r.error !== undefined || !r.response.ok)
    throw new ApiError(r.response.status, toProblem(r.response.status, r.error));
  return r.data as NonNullable<T>;
}

/** Raw same-origin request with the session headers, for downloads (CSV) that are not JSON. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (res.status === 401) for (const fn of expiryListeners) fn();
  if (!res.ok) throw new ApiError(res.status, toProblem(res.status, await res.json().catch(() => null)));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
