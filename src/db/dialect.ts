export type DialectName = 'sqlite' | 'postgres';

/** Boolean columns: `boolean` on PostgreSQL, `integer` 0/1 on SQLite. Read them with `Boolean(row.x)`. */
export type SqlBool = import('kysely').ColumnType<boolean | 0 | 1, boolean, boolean>;

/**
 * better-sqlite3 cannot bind JS booleans: the SQLite driver hands it 1/0 instead. Done on the compiled
 * query's parameters (a copy only when one is a boolean), where a Kysely plugin would rebuild every
 * query's whole operation tree first (a third of building and compiling a query).
 */
export function withBindableBooleans<Q extends { readonly parameters: readonly unknown[] }>(query: Q): Q {
  if (!query.parameters.some((p) => typeof p === 'boolean')) return query;
  return { ...query, parameters: query.parameters.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p)) };
}
