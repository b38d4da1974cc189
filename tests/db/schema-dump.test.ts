/**
 * sql/schema.sql is THE place to read the current schema: it must be exactly
 * what the committed migrations produce (the test template database).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase, SCHEMA_FILE } from '../../server/db/schema-dump/file.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** Where two texts first differ, with a few lines of context from each. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  let line = 0;
  while (line < Math.max(a.length, b.length) && a[line] === b[line]) line += 1;
  const show = (lines: string[]): string =>
    lines.slice(Math.max(0, line - 2), line + 4).map((text, i) => `  ${Math.max(0, line - 2) + i + 1}: ${text}`).join('\n');
  return `first difference at line ${line + 1}\n-- sql/schema.sql (committed):\n${show(a)}\n-- from the migrations:\n${show(b)}`;
}

describe('sql/schema.sql', () => {
  let db: TestDatabase;
  let generated: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    generated = await dumpDatabase(db.connectionString);
  });
  afterAll(() => db.drop());

  it('matches what the committed migrations produce', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => '(missing)');
    if (committed !== generated) {
      expect.fail(
        `sql/schema.sql has drifted from migrations/committed/ (${firstDifference(committed, generated)})\n` +
          'Run `npm run db:dump` and commit sql/schema.sql (after committing any migrations/current.sql).',
      );
    }
  });

  it('is stable: a second dump is identical', async () => {
    expect(await dumpDatabase(db.connectionString)).toBe(generated);
  });

  it('shows each kind of object once, with its grants, and leaves out library schemas', () => {
    for (const expected of [
      'create role app_authenticator login noinherit;',
      'grant app_user to app_admin;',
      'create schema app_public;',
      'alter default privileges revoke execute on functions from public;',
      'create type app_public.kpi_granularity as enum (',
      'create table app_public.calls (',
      'CREATE STATISTICS app_public.calls_agent_user_dependency',
      'CREATE OR REPLACE FUNCTION app_public.agent_overview(',
      'create materialized view app_hidden.user_kpi_summary as',
      'alter table app_public.calls enable row level security;',
      'CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.agents',
    ]) {
      expect(generated).toContain(expected);
    }
    expect(generated.match(/FUNCTION app_public\.agent_overview\(/g)).toHaveLength(1);
    expect(generated).not.toMatch(/^(create|alter|grant).* (graphile_worker|graphile_migrate)[.; ]/m);
    // Extension members (pgcrypto's and citext's functions) come from `create extension`.
    expect(generated).not.toContain('FUNCTION public.gen_random_bytes');
  });
});
