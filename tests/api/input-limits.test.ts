/**
 * Findings of the outside attack run (issue 13), over real HTTP:
 *
 * 1. argument values (connection filters, JSON inputs) are limited in depth and
 *    size, literals and variables alike, and relation filters are counted
 *    (none for anonymous callers), all before PostGraphile plans the query;
 * 2. introspection counts towards the alias limit, has its own size rule, and
 *    can be restricted to signed-in callers (GRAPHQL_INTROSPECTION);
 * 10. negative page arguments, NUL characters, very deep JSON and very long
 *    emails get coded input errors instead of INTERNAL_ERROR or PostgreSQL's
 *    wording.
 */
import { randomBytes } from 'node:crypto';
import { SafeError } from 'postgraphile/grafast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownApiError } from '../../server/errors.ts';
import { bracketDepth } from '../../server/graphql/limits.ts';
import { errorCodes, startApi, type ApiServer, type GraphqlBody } from '../helpers/api.ts';
import { withClient } from '../helpers/db.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let tenant: Tenant;
let token: string;

beforeAll(async () => {
  api = await startApi();
  tenant = await withClient(api.db.pool, (client) => seedTenant(client, { tag: 1, name: 'Input limits tenant' }));
  token = api.tokenFor(tenant.userId);
});

afterAll(async () => {
  await api?.close();
});

const CALLS_FILTERED = `query Calls($f: CallFilter) { allCalls(first: 5, filter: $f) { totalCount } }`;

/** `{ agent: { calls: { some: ... } } }` around `leaf`, `levels` times (3 input levels and 2 relations each). */
function relationChain(levels: number, leaf: unknown = { durationSeconds: { greaterThan: 0 } }): unknown {
  let filter = leaf;
  for (let i = 0; i < levels; i += 1) filter = { agent: { calls: { some: filter } } };
  return filter;
}

/** The same as GraphQL literal text. */
function relationChainLiteral(levels: number): string {
  return `${'agent: { calls: { some: { '.repeat(levels)}durationSeconds: { greaterThan: 0 }${' } } }'.repeat(levels)}`;
}

/** A raw JSON body: JSON.stringify itself overflows on values this deep. */
function deepJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

function codes(body: GraphqlBody<unknown>): Array<string | undefined> {
  return errorCodes(body);
}

describe('bracket nesting of a document, before parsing', () => {
  it('counts { [ ( outside strings, block strings and comments', () => {
    expect(bracketDepth('{ a(x: [1, { b: 2 }]) { c } }', 100)).toBe(4);
    expect(bracketDepth('{ a(s: "{{{[[[((( \\" {{{") }', 100)).toBe(2);
    expect(bracketDepth('{ a(s: """ {{{ \\""" {{{ """) }', 100)).toBe(2);
    expect(bracketDepth('# {{{{{{\n{ a # ((((\n { b } }', 100)).toBe(2);
    expect(bracketDepth('{'.repeat(50), 10)).toBe(11); // stops counting past the limit
    expect(bracketDepth('', 10)).toBe(0);
  });
});

describe('filter depth and size (item 1)', () => {
  it('refuses a relation filter nested 150 levels deep in a variable, before planning it', async () => {
    const { body } = await api.graphql(CALLS_FILTERED, { f: relationChain(150) }, token);
    expect(codes(body)).toEqual(['INPUT_TOO_DEEP']);
    expect(body.errors?.[0]?.message).toMatch(/the limit is 20/);
    expect(body.data).toBeUndefined();
  });

  it('refuses the same anonymously', async () => {
    const { body } = await api.graphql(CALLS_FILTERED, { f: relationChain(150) });
    expect(codes(body)).toEqual(['INPUT_TOO_DEEP']);
  });

  it('refuses not { not { ... } } 2,000 deep, as a variable and as a literal', async () => {
    let not: unknown = { durationSeconds: { equalTo: 1 } };
    for (let i = 0; i < 2000; i += 1) not = { not };
    expect(codes((await api.graphql(CALLS_FILTERED, { f: not }, token)).body)).toEqual(['INPUT_TOO_DEEP']);

    // As a literal the document is refused before it is parsed (its parser recursed past the stack).
    const literal = `${'not: { '.repeat(2000)}durationSeconds: { equalTo: 1 }${' }'.repeat(2000)}`;
    const { status, body } = await api.graphql(`{ allCalls(first: 5, filter: { ${literal} }) { totalCount } }`, {}, token);
    expect(status).toBe(400);
    expect(codes(body)).toEqual(['QUERY_TOO_DEEP']);
  });

  it('counts inline literals: a relation chain 7 levels deep (21 input levels) is refused', async () => {
    const query = `{ allCalls(first: 5, filter: { ${relationChainLiteral(7)} }) { totalCount } }`;
    const { body } = await api.graphql(query, {}, token);
    expect(codes(body)).toEqual(['INPUT_TOO_DEEP']);
  });

  it('counts a variable from where it sits in a literal', async () => {
    // 18 levels in the variable, 3 around it: 21.
    let inner: unknown = { durationSeconds: { equalTo: 1 } };
    for (let i = 0; i < 16; i += 1) inner = { not: inner };
    const query = `query Calls($f: CallFilter!) { allCalls(first: 5, filter: { not: { and: [$f] } }) { totalCount } }`;
    expect(codes((await api.graphql(query, { f: inner }, token)).body)).toEqual(['INPUT_TOO_DEEP']);
    // Two levels fewer fit.
    let fits: unknown = { durationSeconds: { equalTo: 1 } };
    for (let i = 0; i < 14; i += 1) fits = { not: fits };
    const { body } = await api.graphql(query, { f: fits }, token);
    expect(body.errors).toBeUndefined();
  });

  it('counts a variable default value', async () => {
    let deep = 'durationSeconds: { equalTo: 1 }';
    for (let i = 0; i < 20; i += 1) deep = `not: { ${deep} }`;
    const query = `query Calls($f: CallFilter = { ${deep} }) { allCalls(first: 5, filter: $f) { totalCount } }`;
    expect(codes((await api.graphql(query, {}, token)).body)).toEqual(['INPUT_TOO_DEEP']);
  });

  it('refuses more than 1,000 values in the arguments of one operation', async () => {
    const or = Array.from({ length: 400 }, (_, i) => ({ durationSeconds: { equalTo: i } })); // 1 + 1 + 400 x 3
    const { body } = await api.graphql(CALLS_FILTERED, { f: { or } }, token);
    expect(codes(body)).toEqual(['INPUT_TOO_LARGE']);
    const { body: fits } = await api.graphql(CALLS_FILTERED, { f: { or: or.slice(0, 300) } }, token);
    expect(fits.errors).toBeUndefined();
  });

  it("counts a fragment's literals each time it is spread", async () => {
    const or = Array.from({ length: 120 }, (_, i) => `{ durationSeconds: { equalTo: ${i} } }`).join(' ');
    const query = `
      { a: query { ...F } b: query { ...F } c: query { ...F } }
      fragment F on Query { allCalls(first: 1, filter: { or: [${or}] }) { totalCount } }`;
    expect(codes((await api.graphql(query, {}, token)).body)).toEqual(['INPUT_TOO_LARGE']); // 3 x 362
  });

  it('allows up to 5 relation filters to a signed-in caller and refuses 6', async () => {
    const { body } = await api.graphql<{ allCalls: { totalCount: number } }>(
      CALLS_FILTERED,
      { f: { and: [relationChain(2), { contactExists: true }] } }, // 4 + 1
      token,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.allCalls.totalCount).toBeGreaterThan(0);

    const six = { and: [relationChain(2), { contactExists: true }, { agent: { name: { equalTo: 'Agent 1' } } }] };
    const refused = await api.graphql(CALLS_FILTERED, { f: six }, token);
    expect(codes(refused.body)).toEqual(['TOO_MANY_FILTER_RELATIONS']);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ relations: 6, limit: 5 });
  });

  it('counts relation filters in literals and variables together', async () => {
    const query = `query Calls($f: CallFilter!) { allCalls(first: 5, filter: { and: [{ ${relationChainLiteral(2)} }, $f] }) { totalCount } }`;
    expect((await api.graphql(query, { f: { contactExists: true } }, token)).body.errors).toBeUndefined();
    expect(codes((await api.graphql(query, { f: relationChain(1) }, token)).body)).toEqual(['TOO_MANY_FILTER_RELATIONS']);
  });

  it('refuses relation filters to anonymous callers; column filters pass (and PostgreSQL refuses them the table)', async () => {
    const { body } = await api.graphql(CALLS_FILTERED, { f: { agent: { name: { equalTo: 'Agent 1' } } } });
    expect(codes(body)).toEqual(['SIGN_IN_REQUIRED']);
    const exists = await api.graphql(`{ allCalls(first: 1, filter: { contactExists: true }) { totalCount } }`);
    expect(codes(exists.body)).toEqual(['SIGN_IN_REQUIRED']);
    const plain = await api.graphql(CALLS_FILTERED, { f: { durationSeconds: { greaterThan: 0 } } });
    expect(codes(plain.body)).toEqual(['FORBIDDEN']);
  });
});

describe('introspection (item 2)', () => {
  it('counts aliased __schema selections towards the alias limit', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `s${i}: __schema { queryType { name } }`).join(' ');
    const { body } = await api.graphql(`{ ${fields} }`, {});
    expect(codes(body)).toContain('TOO_MANY_ALIASES');
    expect(body.data).toBeUndefined();
  });

  it('allows one __schema per operation', async () => {
    const { body } = await api.graphql(`{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, {}, token);
    expect(codes(body)).toEqual(['INTROSPECTION_TOO_LARGE']);
  });

  it('refuses introspection that nests list fields (types > fields > type > fields)', async () => {
    const { body } = await api.graphql(`{ __schema { types { fields { type { fields { name } } } } } }`, {}, token);
    expect(codes(body)).toEqual(['INTROSPECTION_TOO_LARGE']);
    const viaType = await api.graphql(`{ __type(name: "Call") { fields { type { fields { type { fields { name } } } } } } }`, {}, token);
    // (GraphQL's own MaxIntrospectionDepthRule reports this one too, without a code.)
    expect(codes(viaType.body)).toContain('INTROSPECTION_TOO_LARGE');
    // Two levels of lists (one type's fields and their types' fields) are fine.
    const twoLevels = await api.graphql(`{ __type(name: "Call") { fields { type { fields { name } } } } }`, {}, token);
    expect(codes(twoLevels.body)).toEqual([]);
  });

  it('refuses anonymous introspection when GRAPHQL_INTROSPECTION=signed-in; signed-in callers and __typename still work', async () => {
    const strict = await startApi({ db: api.db, env: { GRAPHQL_INTROSPECTION: 'signed-in' } });
    try {
      const anonymous = await strict.graphql(`{ __schema { queryType { name } } }`);
      expect(codes(anonymous.body)).toEqual(['SIGN_IN_REQUIRED']);
      expect(anonymous.body.data).toBeUndefined();
      const viaFragment = await strict.graphql(`{ ...T } fragment T on Query { __type(name: "Call") { name } }`);
      expect(codes(viaFragment.body)).toEqual(['SIGN_IN_REQUIRED']);
      expect(codes((await strict.graphql(`{ __typename }`)).body)).toEqual([]);
      const signedIn = await strict.graphql(`{ __schema { queryType { name } } }`, {}, token);
      expect(signedIn.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await strict.close();
    }
  });

  it('refuses introspection to everyone when GRAPHQL_INTROSPECTION=off', async () => {
    const off = await startApi({ db: api.db, env: { GRAPHQL_INTROSPECTION: 'off' } });
    try {
      expect(codes((await off.graphql(`{ __type(name: "Call") { name } }`, {}, token)).body)).toEqual(['INTROSPECTION_DISABLED']);
      expect(codes((await off.graphql(`{ currentUserId __typename }`, {}, token)).body)).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

describe('coded input errors (item 10)', () => {
  it('refuses negative first, last and offset', async () => {
    for (const args of ['first: -1', 'last: -1', 'first: 1, offset: -1']) {
      const { body } = await api.graphql(`{ allAgents(${args}) { nodes { name } } }`, {}, token);
      expect(codes(body), args).toEqual(['INVALID_PAGE_ARGUMENT']);
    }
    const { body } = await api.graphql(`query A($n: Int) { allAgents(first: 2, offset: $n) { totalCount } }`, { n: -5 }, token);
    expect(codes(body)).toEqual(['INVALID_PAGE_ARGUMENT']);
    expect(body.errors?.[0]?.message).toMatch(/offset: -5 .* is negative/);
  });

  it('refuses NUL characters in text, JSON keys and literals', async () => {
    const create = `mutation Create($n: String!, $c: JSON) {
      createAgent(input: { agent: { name: $n, providerAgentId: "nul-test", config: $c } }) { agent { name } } }`;
    expect(codes((await api.graphql(create, { n: 'a\u0000b' }, token)).body)).toEqual(['INVALID_CHARACTER']);
    expect(codes((await api.graphql(create, { n: 'ok', c: { 'k\u0000': 1 } }, token)).body)).toEqual(['INVALID_CHARACTER']);
    const literal = `mutation { createAgent(input: { agent: { name: "a\\u0000b", providerAgentId: "nul-test" } }) { agent { name } } }`;
    expect(codes((await api.graphql(literal, {}, token)).body)).toEqual(['INVALID_CHARACTER']);
  });

  it('refuses a JSON config nested 10,000 levels deep', async () => {
    const query = `mutation Create($c: JSON) { createAgent(input: { agent: { name: "deep", providerAgentId: "deep-json", config: $c } }) { agent { name } } }`;
    const { body } = await api.post(`{"query":${JSON.stringify(query)},"variables":{"c":${deepJson(10_000)}}}`, { authorization: `Bearer ${token}` });
    expect(codes(body)).toEqual(['INPUT_TOO_DEEP']);
    // An ordinary nested config is fine.
    const fine = await api.graphql(query, { c: { voice: { provider: 'x', settings: { speed: 1.1, tags: ['a', 'b'] } } } }, token);
    expect(fine.body.errors).toBeUndefined();
  });

  it('refuses an email longer than 320 characters with a coded error that names the field, not the index', async () => {
    const register = `mutation Register($e: String!) { register(input: { email: $e, name: "Long", password: "long enough 1" }) { __typename } }`;
    // Random text does not compress: it used to reach the unique index and fail there.
    const long = `${randomBytes(6000).toString('base64url')}@example.com`;
    const { body } = await api.graphql(register, { e: long });
    expect(codes(body)).toEqual(['CHECK_VIOLATION']);
    expect(body.errors?.[0]?.extensions).toMatchObject({ field: 'email', rule: 'users_email_length' });
    expect(JSON.stringify(body)).not.toMatch(/index|btree|users_email_key/i);

    const justOver = `${'a'.repeat(309)}@example.com`; // 321
    expect(codes((await api.graphql(register, { e: justOver })).body)).toEqual(['CHECK_VIOLATION']);
    const atLimit = `${'b'.repeat(308)}@example.com`; // 320
    expect((await api.graphql(register, { e: atLimit })).body.errors).toBeUndefined();
  });

  it('maps what still reaches PostgreSQL: NUL in text, an oversized index row, a too-deep value; and the planning timeout', async () => {
    await withClient(api.db.pool, async (client) => {
      const failure = async (sql: string, params: unknown[] = []): Promise<unknown> => {
        try {
          await client.query(sql, params);
        } catch (error) {
          return error;
        }
        throw new Error(`no error from ${sql}`);
      };
      expect(knownApiError(await failure('select $1::text', ['a\u0000b']))).toMatchObject({ code: 'INVALID_CHARACTER', httpStatus: 400 });
      expect(knownApiError(await failure(`select '{"a":"\\u0000"}'::jsonb ->> 'a'`))).toMatchObject({ code: 'INVALID_CHARACTER' });

      await client.query('create temporary table long_values (v text); create index long_values_secret_idx on long_values (v)');
      const tooLong = knownApiError(await failure('insert into long_values values ($1)', [randomBytes(6000).toString('base64')]));
      expect(tooLong).toMatchObject({ code: 'VALUE_TOO_LONG', httpStatus: 400 });
      expect(tooLong?.message).not.toMatch(/long_values_secret_idx|index/);

      const deep = knownApiError(await failure(`select $1::jsonb`, [deepJson(200_000)]));
      expect(deep).toMatchObject({ code: 'INPUT_TOO_DEEP', httpStatus: 400 });
    });
    const planning = new SafeError('Operation took too long to plan and was aborted. Please simplify the request and try again.');
    expect(knownApiError(planning)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', httpStatus: 400 });
  });
});
