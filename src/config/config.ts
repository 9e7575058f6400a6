import path from 'node:path';
import type { z } from 'zod';
import { type SettingDeclaration, type SettingKey, settingDeclarations } from './config.declarations.js';

type Decls = typeof settingDeclarations;
type ValueOf<K extends SettingKey> = Decls[K]['default'] extends string
  ? z.output<Decls[K]['schema']>
  : z.output<Decls[K]['schema']> | undefined;

/** The validated, frozen settings. Only this module reads `process.env`. */
export type Config = { readonly [K in SettingKey]: ValueOf<K> } & {
  /** Derived: the database to use, resolved from `databaseUrl` and `dataDir`. */
  readonly database:
    | { readonly kind: 'sqlite'; readonly file: string }
    | { readonly kind: 'postgres'; readonly url: string };
  /** Derived: `publicUrl` or `http://host:port`. */
  readonly baseUrl: string;
};

export class ConfigError extends Error {
  readonly code = 'config.invalid';
  constructor(readonly problems: readonly { env: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.env}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every declared setting from `env`, validates all of them and returns a frozen config.
 * Throws one ConfigError that names every bad variable (not just the first).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: { env: string; message: string }[] = [];
  for (const [key, decl] of Object.entries(settingDeclarations) as [SettingKey, SettingDeclaration][]) {
    const raw = env[decl.env];
    const input = raw === undefined || raw === '' ? decl.default : raw;
    if (input === undefined) {
      values[key] = undefined;
      continue;
    }
    const parsed = decl.schema.safeParse(input);
    if (parsed.success) values[key] = parsed.data;
    else {
      const shown = decl.secret
        ? ''
        : ` (got ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)})`;
      problems.push({
        env: decl.env,
        message: `${parsed.error.issues.map((i) => i.message).join('; ')}${shown}`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = values.dataDir as string;
  const url = values.databaseUrl as string | undefined;
  const database =
    url === undefined
      ? ({ kind: 'sqlite', file: path.resolve(dataDir, 'herald.db') } as const)
      : url.startsWith('sqlite:')
        ? ({ kind: 'sqlite', file: url.slice('sqlite:'.length) } as const)
        : ({ kind: 'postgres', url } as const);
  const baseUrl = (
    (values.publicUrl as string | undefined) ?? `http://${values.host}:${values.port}`
  ).replace(/\/$/, '');
  return Object.freeze({ ...values, database: Object.freeze(database), baseUrl }) as Config;
}
