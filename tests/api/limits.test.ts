/**
 * Query cost limits on /graphql, over real HTTP: depth, aliases, page sizes
 * (literal and variable), document length, body size and the statement timeout. Each refusal carries
 * its extensions.code; an ordinary dashboard-shaped query passes.
 */
import { request } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { withClient } from '../helpers/db.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let tenant: Tenant;
let token: string;

beforeAll(async () => {
  api = await startApi();
  tenant = await withClient(api.db.pool, (client) => seedTenant(client, { tag: 1, name: 'Limits tenant' }));
  token = api.tokenFor(tenant.userId);
});

afterAll(async () => {
  await api?.close();
});

/** `allAgents(first: 1) { nodes { user { agents(first: 1) { nodes { ... } } } } }`, `levels` times. */
function nested(levels: number, leaf = 'name'): string {
  let inner = leaf;
  for (let i = 0; i < levels; i += 1) inner = `user { agents(first: 1) { nodes { ${inner} } } }`;
  return `{ allAgents(first: 1) { nodes { ${inner} } } }`;
}

describe('ordinary queries', () => {
  it('a dashboard-shaped query passes and returns data', async () => {
    const { status, body } = await api.graphql<{ allAgents: { totalCount: number; nodes: Array<{ name: string }> } }>(
      `query Agents($n: Int) { allAgents(first: $n, orderBy: NAME_ASC) { totalCount nodes { name } } }`,
      { n: 10 },
      token,
    );
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data?.allAgents.totalCount).toBe(2);
    expect(body.data?.allAgents.nodes.map((agent) => agent.name)).toEqual(['Agent 1', 'Agent 2']);
  });

  it('the GraphiQL introspection query is not limited by depth', async () => {
    const { body } = await api.graphql(getIntrospectionQuery(), {}, token);
    expect(body.errors).toBeUndefined();
    expect(body.data).toHaveProperty('__schema');
  });
});

describe('depth', () => {
  it('refuses a query nested deeper than 10 levels', async () => {
    const { body } = await api.graphql(nested(3), {}, token); // 12 levels
    expect(errorCodes(body)).toEqual(['QUERY_TOO_DEEP']);
    expect(body.errors?.[0]?.message).toMatch(/12 levels deep; the limit is 10/);
    expect(body.data).toBeUndefined();
  });

  it('allows exactly 10 levels', async () => {
    // allAgents > nodes > user > agents > nodes > user > agents > nodes > user > name
    const query = `{ allAgents(first: 1) { nodes { user { agents(first: 1) { nodes {
      user { agents(first: 1) { nodes { user { name } } } } } } } } } }`;
    const { body } = await api.graphql(query, {}, token);
    expect(body.errors).toBeUndefined();
  });

  it('follows fragments, including nested ones', async () => {
    const query = `
      query { allAgents(first: 1) { nodes { ...A } } }
      fragment A on Agent { user { agents(first: 1) { nodes { ...B } } } }
      fragment B on Agent { user { agents(first: 1) { nodes { ...C } } } }
      fragment C on Agent { user { agents(first: 1) { nodes { name } } } }`;
    const { body } = await api.graphql(query, {}, token);
    expect(errorCodes(body)).toContain('QUERY_TOO_DEEP');
  });
});

describe('aliases', () => {
  it('refuses more than 30 aliases in one operation', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: currentUserId`).join(' ');
    const { body } = await api.graphql(`{ ${fields} }`, {}, token);
    expect(errorCodes(body)).toEqual(['TOO_MANY_ALIASES']);
    expect(body.errors?.[0]?.message).toMatch(/31 aliases; the limit is 30/);
  });

  it('counts aliases inside fragments each time the fragment is spread', async () => {
    const fragmentFields = Array.from({ length: 10 }, (_, i) => `f${i}: currentUserId`).join(' ');
    const query = `
      { q1: query { ...F } q2: query { ...F } q3: query { ...F } }
      fragment F on Query { ${fragmentFields} }`;
    const { body } = await api.graphql(query, {}, token);
    expect(errorCodes(body)).toEqual(['TOO_MANY_ALIASES']); // 3 + 3 x 10
  });

  it('allows 30 aliases', async () => {
    const fields = Array.from({ length: 30 }, (_, i) => `a${i}: currentUserId`).join(' ');
    const { body } = await api.graphql(`{ ${fields} }`, {}, token);
    expect(body.errors).toBeUndefined();
    expect(body.data?.a29).toBe(tenant.userId);
  });
});

describe('page sizes', () => {
  it('refuses first: 10000', async () => {
    const { body } = await api.graphql(`{ allAgents(first: 10000) { nodes { name } } }`, {}, token);
    expect(errorCodes(body)).toEqual(['PAGE_SIZE_TOO_LARGE']);
    expect(body.errors?.[0]?.message).toMatch(/maximum page size of 500/);
  });

  it('refuses last above the cap on a nested connection', async () => {
    const { body } = await api.graphql(
      `{ allAgents(first: 1) { nodes { user { calls(last: 501) { nodes { rowId } } } } } }`,
      {},
      token,
    );
    expect(errorCodes(body)).toEqual(['PAGE_SIZE_TOO_LARGE']);
  });

  it('requires first or last when nodes or edges are selected', async () => {
    for (const selection of ['nodes { name }', 'edges { node { name } }', '... on AgentConnection { nodes { name } }']) {
      const { body } = await api.graphql(`{ allAgents { ${selection} } }`, {}, token);
      expect(errorCodes(body), selection).toEqual(['PAGE_SIZE_REQUIRED']);
    }
  });

  it('requires it through fragments and on nested connections too', async () => {
    const { body } = await api.graphql(
      `{ allAgents(first: 5) { nodes { user { agents { ...Rows } } } } }
       fragment Rows on AgentConnection { nodes { name } }`,
      {},
      token,
    );
    expect(errorCodes(body)).toEqual(['PAGE_SIZE_REQUIRED']);
  });

  it('does not require a page size for totalCount or aggregates only', async () => {
    const { body } = await api.graphql<{ allAgents: { totalCount: number } }>(
      `{ allAgents { totalCount aggregates { distinctCount { name } } } }`,
      {},
      token,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.allAgents.totalCount).toBe(2);
  });

  it('honours variables: too large, absent, default value, and a good one', async () => {
    const query = `query Agents($n: Int) { allAgents(first: $n) { nodes { name } } }`;
    expect(errorCodes((await api.graphql(query, { n: 10_000 }, token)).body)).toEqual(['PAGE_SIZE_TOO_LARGE']);
    expect(errorCodes((await api.graphql(query, {}, token)).body)).toEqual(['PAGE_SIZE_REQUIRED']);
    expect(errorCodes((await api.graphql(query, { n: null }, token)).body)).toEqual(['PAGE_SIZE_REQUIRED']);

    const withDefault = `query Agents($n: Int = 9999) { allAgents(first: $n) { nodes { name } } }`;
    expect(errorCodes((await api.graphql(withDefault, {}, token)).body)).toEqual(['PAGE_SIZE_TOO_LARGE']);

    const { body } = await api.graphql<{ allAgents: { nodes: unknown[] } }>(query, { n: 1 }, token);
    expect(body.errors).toBeUndefined();
    expect(body.data?.allAgents.nodes).toHaveLength(1);
    // The same document again: a good answer is not remembered for other variables.
    expect(errorCodes((await api.graphql(query, { n: 10_000 }, token)).body)).toEqual(['PAGE_SIZE_TOO_LARGE']);
  });

  it('checks every request of a document, connections in fragments included', async () => {
    const query = `query Agents($n: Int) { ...A } fragment A on Query { allAgents(first: $n) { nodes { name } } }`;
    expect((await api.graphql(query, { n: 1 }, token)).body.errors).toBeUndefined();
    expect(errorCodes((await api.graphql(query, { n: 10_000 }, token)).body)).toEqual(['PAGE_SIZE_TOO_LARGE']);
    // A document without connections is walked once; it keeps working.
    const plain = `query Me { currentUserId }`;
    for (let i = 0; i < 2; i += 1) expect((await api.graphql(plain, {}, token)).body.errors).toBeUndefined();
  });
});

describe('sizes', () => {
  it('refuses a document longer than the limit', async () => {
    const query = `{ currentUserId }\n# ${'x'.repeat(25_000)}`;
    const { status, body } = await api.graphql(query, {}, token);
    expect(status).toBe(413);
    expect(errorCodes(body)).toEqual(['DOCUMENT_TOO_LARGE']);
  });

  it('refuses an oversized body (declared length)', async () => {
    const body = JSON.stringify({ query: '{ currentUserId }', variables: { pad: 'x'.repeat(150_000) } });
    const result = await api.post(body, { authorization: `Bearer ${token}` });
    expect(result.status).toBe(413);
    expect(errorCodes(result.body)).toEqual(['REQUEST_TOO_LARGE']);
  });

  it('refuses an oversized body sent in chunks without a length', async () => {
    const url = new URL(`${api.url}/graphql`);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      // The server may answer and close before all chunks are written.
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.write('{"query":"{ currentUserId }","variables":{"pad":"');
      for (let i = 0; i < 15; i += 1) req.write('x'.repeat(10_000));
      req.end('"}}');
    });
    expect(status).toBe(413);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'REQUEST_TOO_LARGE' } }] });
  });
});

describe('statement timeout (GRAPHQL_STATEMENT_TIMEOUT_MS)', () => {
  let slow: ApiServer;
  let slowToken: string;

  beforeAll(async () => {
    slow = await startApi({ env: { GRAPHQL_STATEMENT_TIMEOUT_MS: '200' } });
    const owner = await withClient(slow.db.pool, (client) => seedTenant(client, { tag: 2, name: 'Timeout tenant' }));
    slowToken = slow.tokenFor(owner.userId);
  });

  afterAll(async () => {
    await slow?.close();
  });

  it('cancels a query that runs past it with STATEMENT_TIMEOUT and no SQL in the answer; the next query works', async () => {
    // The query has to wait for a lock held here; only the timeout can end the wait (the lock is
    // released after the answer), so a timeout that did not apply would hang this test.
    await withClient(slow.db.pool, async (client) => {
      await client.query('begin');
      await client.query('lock table app_public.agents in access exclusive mode');
      try {
        const result = await slow.graphql(`{ allAgents(first: 5) { nodes { name } } }`, {}, slowToken);
        expect(errorCodes(result.body)).toEqual(['STATEMENT_TIMEOUT']);
        expect(JSON.stringify(result.body)).not.toMatch(/canceling statement|app_public|lock/i);
      } finally {
        await client.query('rollback');
      }
    });
    const after = await slow.graphql(`{ allAgents(first: 5) { nodes { name } } }`, {}, slowToken);
    expect(errorCodes(after.body)).toEqual([]);
    expect(after.body.data).toMatchObject({ allAgents: { nodes: expect.any(Array) } });
  });
});
