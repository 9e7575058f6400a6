import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../core/errors.js';
import type { AppEnv } from './http.types.js';

/** A router whose schema failures become `validation.failed` problems with every issue listed. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({
          path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
          message: i.message,
        }));
        const first = issues[0];
        throw new AppError(
          'validation.failed',
          first ? `${first.path.join('.') || '(body)'}: ${first.message}` : 'The request is not valid.',
          { issues },
        );
      }
    },
  });
}

export const jsonContent = <T>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const SECURED: Record<string, string[]>[] = [{ apiKey: [] }, { session: [] }];
