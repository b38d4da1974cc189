/**
 * The schema workflow around graphile-migrate: db:watch's pass (current.sql
 * applied to a database, idempotently, then the schema dump) and db:commit /
 * db:uncommit round trips in a scratch migrations folder, through the real CLIs.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { withDatabase } from '../../kernel/db/urls.ts';
import { applyCurrentMigration } from '../../kernel/db/watch-current.ts';
import { configureLogging, isLogLevel } from '../../kernel/log.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const run = promisify(execFile);

async function scratchFolder(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'switchboard-migrations-'));
}

describe('db:watch pass', () => {
  let db: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    folder = await scratchFolder();
    await cp(path.join(PROJECT_ROOT, 'migrations', 'committed'), path.join(folder, 'committed'), { recursive: true });
  });
  afterAll(async () => {
    await db.drop();
    await rm(folder, { recursive: true, force: true });
  });

  async function columns(): Promise<string[]> {
    const { rows } = await db.pool.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = 'app_public.scratch_notes'::regclass and attnum > 0 order by attnum`,
    );
    return rows.map((row) => row.name);
  }

  it('applies current.sql on every change and rewrites the schema file', async () => {
    const current = path.join(folder, 'current.sql');
    const schemaFile = path.join(folder, 'schema.sql');
    const pass = (): Promise<void> => applyCurrentMigration({ connectionString: db.connectionString, migrationsFolder: folder, schemaFile });

    await writeFile(current, 'drop table if exists app_public.scratch_notes;\ncreate table app_public.scratch_notes (id int primary key);\n');
    await pass();
    expect(await columns()).toEqual(['id']);
    expect(await readFile(schemaFile, 'utf8')).toContain('create table app_public.scratch_notes (\n  id integer not null,');

    await writeFile(current, 'drop table if exists app_public.scratch_notes;\ncreate table app_public.scratch_notes (id int primary key, body text);\n');
    await pass();
    expect(await columns()).toEqual(['id', 'body']);
    expect(await readFile(schemaFile, 'utf8')).toContain('  body text,');

    // Unchanged: skipped (running it again would not fail either: it is idempotent).
    await pass();
    expect(await columns()).toEqual(['id', 'body']);

    // A failing current.sql changes nothing.
    await writeFile(current, 'alter table app_public.scratch_notes add column extra int;\nselect no_such_function();\n');
    const level = process.env.LOG_LEVEL ?? 'warn';
    configureLogging({ level: 'silent' }); // graphile-migrate reports the failing line; the test only needs the error
    try {
      await expect(pass()).rejects.toThrow(/no_such_function/);
    } finally {
      configureLogging({ level: isLogLevel(level) ? level : 'warn' });
    }
    expect(await columns()).toEqual(['id', 'body']);
  });
});

describe('db:commit and db:uncommit', () => {
  const name = `switchboard_scratch_${process.pid}`;
  let admin: string;
  let folder: string;

  async function adminQuery(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Runs a CLI against the scratch database; resolves with its exit code and output. */
  async function cli(script: string, ...args: string[]): Promise<{ code: number; output: string }> {
    const argv = ['--import', 'tsx', path.join(PROJECT_ROOT, 'server/cli', script), '--folder', folder,
      '--schema-file', path.join(folder, 'schema.sql'), ...args];
    const env = { ...process.env, DATABASE_URL: withDatabase(admin, name), LOG_LEVEL: 'warn' };
    try {
      const { stdout, stderr } = await run(process.execPath, argv, { cwd: PROJECT_ROOT, env });
      return { code: 0, output: stdout + stderr };
    } catch (thrown) {
      const failure = thrown as { code?: number; stdout?: string; stderr?: string };
      return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
    }
  }

  const committed = async (): Promise<string[]> => (await readdir(path.join(folder, 'committed'))).sort();
  const current = (): Promise<string> => readFile(path.join(folder, 'current.sql'), 'utf8');
  const schema = (): Promise<string> => readFile(path.join(folder, 'schema.sql'), 'utf8');

  beforeAll(async () => {
    admin = inject('testDatabase').adminConnectionString;
    folder = await scratchFolder();
    await mkdir(path.join(folder, 'committed'));
    await adminQuery(`create database ${pg.escapeIdentifier(name)}`);
  });
  afterAll(async () => {
    for (const database of [name, `${name}_shadow`]) await adminQuery(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
    await rm(folder, { recursive: true, force: true });
  });

  it('uncommit moves the latest migration back to current.sql, and commit restores it byte for byte', async () => {
    await writeFile(path.join(folder, 'current.sql'), 'create schema if not exists scratch;\ncreate table if not exists scratch.things (id int);\n');
    expect((await cli('commit-migration.ts', 'first')).code).toBe(0);
    await writeFile(path.join(folder, 'current.sql'), 'create or replace function scratch.answer() returns int language sql immutable as $$ select 42 $$;\n');
    expect((await cli('commit-migration.ts', 'second')).code).toBe(0);
    expect(await committed()).toEqual(['000001-first.sql', '000002-second.sql']);
    const second = await readFile(path.join(folder, 'committed', '000002-second.sql'), 'utf8');
    expect(await schema()).toContain('CREATE OR REPLACE FUNCTION scratch.answer()');

    // Refused while current.sql holds work.
    await writeFile(path.join(folder, 'current.sql'), 'select 1;\n');
    const refused = await cli('uncommit-migration.ts');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('current migration is not blank');
    expect(await committed()).toEqual(['000001-first.sql', '000002-second.sql']);

    await writeFile(path.join(folder, 'current.sql'), '');
    expect((await cli('uncommit-migration.ts')).code).toBe(0);
    expect(await committed()).toEqual(['000001-first.sql']);
    expect(await current()).toBe('--! Message: second\n\ncreate or replace function scratch.answer() returns int language sql immutable as $$ select 42 $$;\n');
    expect(await schema()).not.toContain('scratch.answer');
    expect(await schema()).toContain('create table scratch.things (');

    expect((await cli('commit-migration.ts')).code).toBe(0);
    expect(await committed()).toEqual(['000001-first.sql', '000002-second.sql']);
    expect(await readFile(path.join(folder, 'committed', '000002-second.sql'), 'utf8')).toBe(second);
    expect(await schema()).toContain('CREATE OR REPLACE FUNCTION scratch.answer()');
  });
});
