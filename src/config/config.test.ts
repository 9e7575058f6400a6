import { describe, expect, it } from 'vitest';
import { settingDeclarations } from './config.declarations.js';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults: SQLite under ./data, port 8080', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.database.kind).toBe('sqlite');
    expect(c.database).toMatchObject({ file: expect.stringMatching(/data[/\\]herald\.db$/) });
    expect(c.bodyLimitBytes).toBe(1_048_576);
    expect(c.autoMigrate).toBe(true);
    expect(c.baseUrl).toBe('http://127.0.0.1:8080');
  });

  it('reads PostgreSQL and sqlite: URLs', () => {
    expect(loadConfig({ HERALD_DATABASE_URL: 'postgres://u@127.0.0.1:5432/x' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@127.0.0.1:5432/x',
    });
    expect(loadConfig({ HERALD_DATABASE_URL: 'sqlite:/tmp/a.db' }).database).toEqual({
      kind: 'sqlite',
      file: '/tmp/a.db',
    });
  });

  it('names every bad variable in one error, not just the first', () => {
    let error: unknown;
    try {
      loadConfig({ HERALD_PORT: 'eighty', HERALD_AUTO_MIGRATE: 'maybe', HERALD_LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const envs = (error as ConfigError).problems.map((p) => p.env).sort();
    expect(envs).toEqual(['HERALD_AUTO_MIGRATE', 'HERALD_LOG_LEVEL', 'HERALD_PORT']);
    expect((error as Error).message).toContain('HERALD_PORT: expected a whole number (got "eighty")');
  });

  it('rejects out-of-range numbers and unknown database schemes', () => {
    expect(() => loadConfig({ HERALD_PORT: '70000' })).toThrow(/HERALD_PORT/);
    expect(() => loadConfig({ HERALD_DATABASE_URL: 'mysql://x' })).toThrow(/HERALD_DATABASE_URL/);
  });

  it('never prints the value of a secret setting in its error', () => {
    expect(() => loadConfig({ HERALD_DATABASE_URL: 'mysql://user:hunter2@x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HERALD_PORT: '' }).port).toBe(8080);
  });

  it('declares every setting with a HERALD_ variable and a doc', () => {
    for (const d of Object.values(settingDeclarations)) {
      expect(d.env).toMatch(/^HERALD_[A-Z_]+$/);
      expect(d.doc.length).toBeGreaterThan(20);
    }
  });
});

describe('docs/configuration.md', () => {
  it('is exactly what the declarations generate (run `npm run docs:config` after changing a setting)', async () => {
    const fs = await import('node:fs');
    const { renderConfigDocs } = await import('./config.docs.js');
    const actual = fs.readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(actual).toBe(renderConfigDocs());
  });
});
