import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.js';
import type { AppDeps } from '../../http/http.types.js';
import { principalOf } from '../../http/middleware.js';
import { jsonContent, newRouter, SECURED } from '../../http/router.js';
import { cursorParam, IdParam, limitParam, problemResponses } from '../../http/schemas.js';
import { browseImportErrors, getImportJob, startImportUpload } from './contacts.import-jobs.js';
import { parseMapping } from './contacts.import-plan.js';
import { ImportJobSchema, ImportQuerySchema, ImportRowErrorSchema } from './contacts.schemas.js';

export function contactImportRoutes(deps: AppDeps) {
  const app = newRouter();
  const db = deps.db.kysely;
  const tags = ['Contact imports'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contacts/imports',
      tags,
      summary: 'Upload a CSV of contacts; the import runs in the background (poll the job)',
      description:
        'The body is the raw CSV (`Content-Type: text/csv`), at most HERALD_IMPORT_MAX_BYTES. A header line that names no name or phone column, a bad mapping, or a consent column without `attestation` is refused with 422 before anything is written. Otherwise the answer is 202 with the job; its rows are imported in the background.',
      security: SECURED,
      request: {
        query: ImportQuerySchema,
        body: {
          required: true,
          content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } },
        },
      },
      responses: {
        202: {
          ...jsonContent(ImportJobSchema, 'Accepted: the import is running'),
          headers: { Location: { schema: { type: 'string' } } },
        },
        413: { description: 'The upload is larger than HERALD_IMPORT_MAX_BYTES' },
        ...problemResponses,
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const q = c.req.valid('query');
      if (!/^text\/csv\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
        throw new AppError(
          'request.unsupported_media_type',
          'Send the CSV file as the body with Content-Type: text/csv.',
        );
      }
      const { job } = await startImportUpload({
        db,
        clock: deps.clock,
        logger: deps.logger,
        principal,
        dataDir: deps.config.dataDir,
        maxBytes: deps.config.importMaxBytes,
        body: c.req.raw.body,
        options: {
          orgUnitId: q.orgUnitId,
          delimiter: q.delimiter === 'tab' ? '\t' : q.delimiter,
          mapping: parseMapping(q.mapping),
          attestation: q.attestation,
          defaultKind: q.defaultKind,
        },
      });
      c.header('Location', `/api/contacts/imports/${job.id}`);
      return c.json(job, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/imports/{id}',
      tags,
      summary: 'Progress and totals of an import',
      security: SECURED,
      request: { params: IdParam },
      responses: { 200: jsonContent(ImportJobSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(await getImportJob({ db, principal: principalOf(c), id: c.req.valid('param').id }), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/imports/{id}/errors',
      tags,
      summary: 'The rows of an import that were not imported (invalid or duplicate), in row order',
      security: SECURED,
      request: { params: IdParam, query: z.object({ limit: limitParam, cursor: cursorParam }) },
      responses: {
        200: jsonContent(
          z.object({ items: z.array(ImportRowErrorSchema), nextCursor: z.string().nullable() }),
        ),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await browseImportErrors({
          db,
          principal: principalOf(c),
          id: c.req.valid('param').id,
          query: c.req.valid('query'),
        }),
        200,
      ),
  );
  return app;
}
