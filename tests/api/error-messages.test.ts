/**
 * Every error a person can cause reads as a plain sentence about the field
 * (server/errors.ts): each CHECK / UNIQUE rule of the app_public tables has a
 * sentence (walked from pg_catalog, so a new constraint without one fails
 * here), every one maps to it with its field, and PostgreSQL's own cast
 * errors (bad date, id, number, too long) never reach the client in its
 * wording. Over real HTTP: each sign-up field's bad input gets its sentence
 * with the field, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSTRAINT_MESSAGES, knownApiError } from '../../server/errors.ts';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData, onlyError } from '../helpers/graphql-result.ts';

let api: ApiServer;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
});

afterAll(async () => {
  await api?.close();
});

/** What pg's DatabaseError carries (duck-typed by server/errors.ts). */
function pgError(fields: Record<string, string>): Record<string, string> {
  return { severity: 'ERROR', routine: 'ExecConstraints', ...fields };
}

/** No SQL words, rule names, types or quotes of PostgreSQL's own wording: a sentence a person reads. */
function expectPlain(message: string): void {
  expect(message).toMatch(/^[A-Z'].*\.$/);
  expect(message).not.toMatch(/constraint|violates|relation|syntax|breaks the rule|character varying|type uuid|type date|SQLSTATE|_check|_key\b/i);
}

const RULES_SQL = `
  select c.conname as name, case c.contype when 'c' then '23514' else '23505' end as sqlstate, t.relname as table_name
    from pg_catalog.pg_constraint c
    join pg_catalog.pg_class t on t.oid = c.conrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
   where n.nspname = 'app_public' and t.relkind in ('r', 'p') and c.contype in ('c', 'u')
  union all
  select i.relname, '23505', t.relname
    from pg_catalog.pg_index x
    join pg_catalog.pg_class i on i.oid = x.indexrelid
    join pg_catalog.pg_class t on t.oid = x.indrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
   where n.nspname = 'app_public' and x.indisunique and not x.indisprimary
     and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = x.indexrelid)
   order by 1`;

describe('every CHECK and UNIQUE rule of app_public has a plain sentence', () => {
  it('walks pg_constraint and unique indexes: each maps to its own sentence and field', async () => {
    const { rows } = await api.db.pool.query<{ name: string; sqlstate: string; table_name: string }>(RULES_SQL);
    expect(rows.length).toBeGreaterThan(80);
    const missing = rows.filter((row) => !Object.hasOwn(CONSTRAINT_MESSAGES, row.name)).map((row) => row.name);
    expect(missing, 'constraints without a sentence in server/errors.ts CONSTRAINT_MESSAGES').toEqual([]);
    for (const row of rows) {
      const api = knownApiError(pgError({ code: row.sqlstate, message: `violates "${row.name}"`, constraint: row.name, table: row.table_name }));
      expect(api?.message, row.name).toBe(CONSTRAINT_MESSAGES[row.name]?.message);
      expect(api?.details?.field, row.name).toBe(CONSTRAINT_MESSAGES[row.name]?.field);
      expect(api?.code, row.name).toBe(row.sqlstate === '23514' ? 'CHECK_VIOLATION' : 'ALREADY_EXISTS');
      expectPlain(api?.message ?? '');
    }
  });

  it('has no sentence for a rule that no longer exists', async () => {
    const { rows } = await api.db.pool.query<{ name: string }>(RULES_SQL);
    const names = new Set(rows.map((row) => row.name));
    expect(Object.keys(CONSTRAINT_MESSAGES).filter((name) => !names.has(name))).toEqual([]);
  });
});

describe("PostgreSQL's own cast and value errors become sentences", () => {
  // The messages PostgreSQL really sends (checked against the database in the HTTP cases below).
  const cases: Array<{ name: string; code: string; message: string; expected: RegExp; api: string }> = [
    { name: 'bad uuid', code: '22P02', message: 'invalid input syntax for type uuid: "abc"', expected: /^A value is not valid: expected an id/, api: 'INVALID_VALUE' },
    { name: 'bad date', code: '22007', message: 'invalid input syntax for type date: "2026-xx-01"', expected: /^A value is not valid: expected a date \(YYYY-MM-DD/, api: 'INVALID_VALUE' },
    { name: 'impossible date', code: '22008', message: 'date/time field value out of range: "2026-02-30"', expected: /not a real date or time/, api: 'INVALID_VALUE' },
    { name: 'bad integer', code: '22P02', message: 'invalid input syntax for type integer: "ten"', expected: /expected a whole number/, api: 'INVALID_VALUE' },
    { name: 'bad number', code: '22P02', message: 'invalid input syntax for type numeric: "1,5"', expected: /expected a number\./, api: 'INVALID_VALUE' },
    { name: 'bad boolean', code: '22P02', message: 'invalid input syntax for type boolean: "maybe"', expected: /expected true or false/, api: 'INVALID_VALUE' },
    { name: 'bad json', code: '22P02', message: 'invalid input syntax for type json', expected: /expected JSON/, api: 'INVALID_VALUE' },
    { name: 'integer out of range', code: '22003', message: 'value "99999999999" is out of range for type integer', expected: /too large or too small/, api: 'VALUE_OUT_OF_RANGE' },
    { name: 'numeric overflow', code: '22003', message: 'numeric field overflow', expected: /too large or too small/, api: 'VALUE_OUT_OF_RANGE' },
    { name: 'too long', code: '22001', message: 'value too long for type character varying(20)', expected: /too long \(at most 20 characters\)/, api: 'VALUE_TOO_LONG' },
    { name: 'unknown time zone', code: '22023', message: 'time zone "Mars/Olympus" not recognized', expected: /time zone is not one/, api: 'INVALID_VALUE' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const mapped = knownApiError(pgError({ code: c.code, message: c.message, routine: 'string_to_uuid' }));
      expect(mapped?.code).toBe(c.api);
      expect(mapped?.message).toMatch(c.expected);
      expectPlain(mapped?.message ?? '');
    });
  }

  it('names the column when PostgreSQL gives one', () => {
    const mapped = knownApiError(pgError({ code: '22001', message: 'value too long for type character varying(5)', column: 'period_type' }));
    expect(mapped).toMatchObject({ code: 'VALUE_TOO_LONG', message: "'periodType' is too long (at most 5 characters).", details: { field: 'periodType' } });
  });

  it('keeps the message of our own RAISE under a class 22 code', () => {
    const mapped = knownApiError(pgError({ code: '22023', message: 'Unknown scope "admin": use read or write.', routine: 'exec_stmt_raise' }));
    expect(mapped?.message).toBe('Unknown scope "admin": use read or write.');
  });

  it('a not-null violation names the field', () => {
    const mapped = knownApiError(pgError({ code: '23502', message: 'null value in column "name" of relation "agents"', column: 'name' }));
    expect(mapped).toMatchObject({ code: 'REQUIRED_FIELD', message: "'name' is required.", details: { field: 'name' } });
  });
});

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { jwtToken userId } }`;

async function users(email: string): Promise<number> {
  const { rows } = await api.db.pool.query<{ n: number }>('select count(*)::int as n from app_public.users where email = $1', [email]);
  return rows[0]?.n ?? -1;
}

describe('sign-up: each field, its sentence, nothing stored', () => {
  const good = { name: 'Acme Calls', email: 'signup-errors@example.com', password: 'a fine long password', timezone: 'Europe/Berlin' };
  const cases: Array<{ name: string; input: Partial<typeof good>; code: string; field: string; message: RegExp }> = [
    { name: 'empty business name', input: { name: '' }, code: 'CHECK_VIOLATION', field: 'name', message: /^The business name must be between 1 and 200 characters\.$/ },
    { name: 'business name too long', input: { name: 'x'.repeat(201) }, code: 'CHECK_VIOLATION', field: 'name', message: /^The business name must be between 1 and 200 characters\.$/ },
    { name: 'email without a domain', input: { email: 'someone@', }, code: 'CHECK_VIOLATION', field: 'email', message: /^Enter a valid email address/ },
    { name: 'email too long', input: { email: `${'a'.repeat(320)}@example.com` }, code: 'CHECK_VIOLATION', field: 'email', message: /too long \(at most 320 characters\)/ },
    { name: 'short password', input: { password: 'short' }, code: 'WEAK_PASSWORD', field: 'password', message: /at least 8 characters/ },
    { name: 'password over 72 bytes', input: { password: 'p'.repeat(73) }, code: 'WEAK_PASSWORD', field: 'password', message: /at most 72 bytes/ },
    { name: 'unknown time zone', input: { timezone: 'Mars/Olympus' }, code: 'CHECK_VIOLATION', field: 'timezone', message: /^Choose a time zone from the list/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const input = { ...good, ...c.input };
      const error = onlyError(await api.graphql(REGISTER, { input }));
      expect([error.code, error.extensions.field]).toEqual([c.code, c.field]);
      expect(error.message).toMatch(c.message);
      expectPlain(error.message);
      expect(await users(input.email)).toBe(0);
    });
  }

  it('an email already taken (any case) names the email field; the first account is untouched', async () => {
    okData(await api.graphql(REGISTER, { input: { ...good, email: 'taken@example.com' } }));
    const error = onlyError(await api.graphql(REGISTER, { input: { ...good, email: 'TAKEN@example.com', name: 'Other' } }));
    expect([error.code, error.extensions.field]).toEqual(['EMAIL_TAKEN', 'email']);
    expectPlain(error.message);
    const { rows } = await api.db.pool.query<{ name: string }>('select name from app_public.users where email = $1', ['taken@example.com']);
    expect(rows.map((row) => row.name)).toEqual(['Acme Calls']);
  });
});

describe('cast errors over GraphQL are sentences, not PostgreSQL text', () => {
  let token: string;
  beforeAll(async () => {
    const data = okData(await api.graphql<{ register: { jwtToken: string } }>(REGISTER, {
      input: { name: 'Cast Errors', email: 'casts@example.com', password: 'a fine long password', timezone: 'UTC' },
    }));
    token = data.register.jwtToken;
  });

  it('an impossible date (2026-02-30)', async () => {
    const error = onlyError(await api.graphql(`query ($d: Date) { kpiSummary(fromDate: $d) { fromDate } }`, { d: '2026-02-30' }, token));
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toMatch(/not a real date|expected a date/);
    expectPlain(error.message);
  });

  it('a date that is not a date', async () => {
    const error = onlyError(await api.graphql(`query ($d: Date) { kpiSummary(fromDate: $d) { fromDate } }`, { d: 'yesterday-ish' }, token));
    expect(error.code).toMatch(/INVALID_VALUE|GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
    expect(error.message).not.toMatch(/invalid input syntax|datestyle/i);
  });

  it('an id that is not a UUID', async () => {
    const error = onlyError(await api.graphql(`query ($id: UUID!) { agentOverview(agentId: $id) { agent { name } } }`, { id: 'not-a-uuid' }, token));
    expect(error.message).not.toMatch(/invalid input syntax for type uuid/);
  });

  it('a check rule over GraphQL (a negative target) names the field', async () => {
    const agent = okData(await api.graphql<{ createAgent: { agent: { rowId: string } } }>(
      `mutation { createAgent(input: { agent: { providerAgentId: "casts-agent", name: "Casts" } }) { agent { rowId } } }`, {}, token));
    const error = onlyError(await api.graphql(
      `mutation ($a: UUID!) { createAgentTarget(input: { agentTarget: { agentId: $a, periodType: "day", periodStart: "2026-03-02", targetCalls: -1 } }) { agentTarget { rowId } } }`,
      { a: agent.createAgent.agent.rowId }, token));
    expect([error.code, error.extensions.field, error.message]).toEqual(['CHECK_VIOLATION', 'targetCalls', 'The calls target cannot be negative.']);
  });
});
