/**
 * GraphQL reads on a real streaming replica (GRAPHQL_READ_DATABASE_URL): a hot
 * standby of the tests' cluster started from the embedded binaries
 * (tests/helpers/replica.ts), the app over real HTTP with its GraphQL queries
 * routed there (server/graphql/read-replica.ts):
 * - queries are answered by the replica (dataFreshness.answeredBy reads
 *   pg_is_in_recovery() where the query ran; the router's counters agree);
 * - mutations run on the primary;
 * - read-your-writes: with the replica's replay paused, a business's read right
 *   after its own write returns the write (from the primary, the replica
 *   checked to lack it), a new sign-up reads its own business, while another
 *   business keeps reading the replica; once replayed, reads return to the
 *   replica; a read that waits long enough gets the replica once it catches up;
 * - roles and RLS on the replica: tenant isolation, a viewer still cannot write;
 * - a replica that cannot be reached: the primary answers (the router on its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { okData, onlyError } from '../helpers/graphql-result.ts';
import { startReplica, type Replica } from '../helpers/replica.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';
import { findFreePort } from '../../kernel/db/embedded.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { createLogger } from '../../kernel/log.ts';
import { Registry } from 'prom-client';
import { createReadRouter, parseLsn, registerReadRouterMetrics, replicaConnectionString } from '../../server/graphql/read-replica.ts';

let db: TestDatabase;
let replica: Replica;
let api: ApiServer;
let a: Tenant;
let b: Tenant;
let viewerId: string;

const local = !process.env.TEST_DATABASE_URL;

const FRESHNESS = `dataFreshness { answeredBy replicaReplayLagSeconds replicaReplayLagBytes }`;
const CREATE_AGENT = `mutation ($agent: AgentInput!) { createAgent(input: { agent: $agent }) { agent { rowId name } } }`;

interface Freshness {
  answeredBy: string;
  replicaReplayLagSeconds: number | null;
  replicaReplayLagBytes: string | null;
}

function readUrl(port: number): string {
  return `postgres://127.0.0.1:${port}/${encodeURIComponent(db.name)}`;
}

async function onReplica<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: replica.connectionString(db.name) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function createAgent(server: ApiServer, token: string, name: string): Promise<string> {
  const data = okData(await server.graphql<{ createAgent: { agent: { rowId: string } } }>(CREATE_AGENT, {
    agent: { providerAgentId: `replica-${name}`, name },
  }, token));
  return data.createAgent.agent.rowId;
}

async function agentsAndSource(server: ApiServer, token: string): Promise<{ names: string[]; answeredBy: string }> {
  const data = okData(await server.graphql<{ allAgents: { nodes: Array<{ name: string }> }; dataFreshness: Freshness }>(
    `{ allAgents(first: 100) { nodes { name } } ${FRESHNESS} }`, {}, token,
  ));
  return { names: data.allAgents.nodes.map((node) => node.name), answeredBy: data.dataFreshness.answeredBy };
}

beforeAll(async () => {
  if (!local) return;
  db = await createTestDatabase();
  const client = await db.pool.connect();
  try {
    a = await seedTenant(client, { tag: 1, name: 'Replica A' });
    b = await seedTenant(client, { tag: 2, name: 'Replica B' });
  } finally {
    client.release();
  }
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into app_public.members (user_id, email, name, role) values ($1, 'viewer@replica-a.example.com', 'A viewer', 'viewer') returning id`,
    [a.userId],
  );
  viewerId = rows[0]?.id ?? '';
  replica = await startReplica(inject('testDatabase').adminConnectionString);
  api = await startApi({
    db,
    env: { GRAPHQL_READ_DATABASE_URL: readUrl(replica.port), GRAPHQL_READ_MAX_WAIT_MS: '300', RATE_LIMIT_BURST: '5000' },
  });
  // The authenticator's password was (re)set on the primary by startApi: let the replica replay it.
  await replica.catchUp();
});

afterAll(async () => {
  await api?.close();
  await replica?.stop();
  await db?.drop();
});

describe.runIf(local)('a streaming replica answers GraphQL reads', () => {
  it('queries are answered by the replica, with its lag in dataFreshness', async () => {
    const before = api.readRouter?.counts();
    const data = okData(await api.graphql<{ dataFreshness: Freshness; currentUserId: string }>(
      `{ currentUserId ${FRESHNESS} }`, {}, api.tokenFor(a.userId),
    ));
    expect(data.currentUserId).toBe(a.userId);
    expect(data.dataFreshness.answeredBy).toBe('replica');
    expect(data.dataFreshness.replicaReplayLagSeconds).toBeGreaterThanOrEqual(0);
    expect(Number(data.dataFreshness.replicaReplayLagBytes)).toBeGreaterThanOrEqual(0);
    expect(api.readRouter?.counts().replicaCalls).toBeGreaterThan(before?.replicaCalls ?? 0);
    // The replica's pool is connected to a server in recovery, as the GraphQL login.
    const { rows } = await api.readPool!.query<{ standby: boolean; who: string }>('select pg_is_in_recovery() as standby, current_user as who');
    expect(rows[0]).toEqual({ standby: true, who: 'app_authenticator' });
  });

  it('the dashboard overview reads its figures on the replica', async () => {
    const data = okData(await api.graphql<{ dashboardOverview: { summary: { current: { calls: string } }; freshness: Freshness } }>(
      `{ dashboardOverview { summary { current { calls } } freshness { answeredBy } } }`, {}, api.tokenFor(a.userId),
    ));
    expect(data.dashboardOverview.freshness.answeredBy).toBe('replica');
    expect(Number.isInteger(Number(data.dashboardOverview.summary.current.calls))).toBe(true);
  });

  it('mutations run on the primary', async () => {
    const before = api.readRouter?.counts();
    const id = await createAgent(api, api.tokenFor(a.userId), 'Written on the primary');
    const { rows } = await db.pool.query('select 1 from app_public.agents where id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(api.readRouter?.counts().writeCalls).toBeGreaterThan(before?.writeCalls ?? 0);
    expect(api.readRouter?.pendingLsn(a.userId)).toBeDefined();
  });

  it('read-your-writes: with replay paused, a read right after the write returns it (the primary answers); others keep the replica', async () => {
    await replica.catchUp();
    await replica.pauseReplay();
    try {
      const id = await createAgent(api, api.tokenFor(a.userId), 'Written while replay is paused');
      // The replica really is behind: it does not have the row.
      expect(await onReplica('select 1 from app_public.agents where id = $1', [id])).toEqual([]);
      const fallbacks = api.readRouter?.counts().fallbackBehind ?? 0;
      const mine = await agentsAndSource(api, api.tokenFor(a.userId));
      expect(mine.names).toContain('Written while replay is paused');
      expect(mine.answeredBy).toBe('primary');
      expect(api.readRouter?.counts().fallbackBehind).toBe(fallbacks + 1);
      // A's viewer belongs to the same business: it sees the write too.
      const viewer = await agentsAndSource(api, api.tokenFor(a.userId, 'app_viewer', viewerId));
      expect(viewer.names).toContain('Written while replay is paused');
      // B wrote nothing: B reads the (paused) replica.
      const theirs = await agentsAndSource(api, api.tokenFor(b.userId));
      expect(theirs.answeredBy).toBe('replica');
      expect(theirs.names).not.toContain('Written while replay is paused');
    } finally {
      await replica.resumeReplay();
    }
    await replica.catchUp();
    const after = await agentsAndSource(api, api.tokenFor(a.userId));
    expect(after.answeredBy).toBe('replica');
    expect(after.names).toContain('Written while replay is paused');
    expect(api.readRouter?.pendingLsn(a.userId)).toBeUndefined();
  });

  it('read-your-writes for a new sign-up: its first read sees its own business', async () => {
    await replica.pauseReplay();
    try {
      const registered = okData(await api.graphql<{ register: { jwtToken: string; userId: string } }>(
        `mutation ($input: RegisterInput!) { register(input: $input) { jwtToken userId } }`,
        { input: { email: 'fresh-signup@replica.example.com', password: 'a perfectly fine password', name: 'Fresh' } },
      ));
      expect(await onReplica('select 1 from app_public.users where id = $1', [registered.register.userId])).toEqual([]);
      const data = okData(await api.graphql<{ userByRowId: { name: string } | null; dataFreshness: Freshness }>(
        `query ($id: UUID!) { userByRowId(rowId: $id) { name } ${FRESHNESS} }`, { id: registered.register.userId }, registered.register.jwtToken,
      ));
      expect(data.userByRowId).toEqual({ name: 'Fresh' });
      expect(data.dataFreshness.answeredBy).toBe('primary');
    } finally {
      await replica.resumeReplay();
    }
  });

  it('a read that may wait long enough is answered by the replica once it has replayed the write', async () => {
    // The router itself, on the app's pools, with a long wait (the app's is 300 ms).
    const patient = createReadRouter({ primaryPool: api.authPool, replicaPool: api.readPool!, maxWaitMs: 20_000, logger: createLogger('test:patient') });
    const settings = { role: 'app_user', 'jwt.claims.user_id': b.userId };
    await replica.catchUp();
    await replica.pauseReplay();
    let resumed = false;
    try {
      await patient.forRequest('mutation', b.userId).withPgClient(settings, (client) =>
        client.query({ text: `insert into app_public.agents (user_id, provider_agent_id, name) values ($1, 'replica-waited', 'Waited for')`, values: [b.userId] }));
      const reading = patient.forRequest('query', b.userId).withPgClient(settings, (client) =>
        client.query<{ names: string[]; standby: boolean }>({ text: 'select array(select name from app_public.agents order by name) as names, pg_is_in_recovery() as standby' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await replica.resumeReplay();
      resumed = true;
      const { rows: [read] } = await reading;
      expect(read?.names).toContain('Waited for');
      expect(read?.standby).toBe(true);
      expect(patient.counts()).toMatchObject({ waitedThenReplica: 1, fallbackBehind: 0, replicaCalls: 1 });
    } finally {
      if (!resumed) await replica.resumeReplay();
    }
  });

  it('tenants stay apart on the replica', async () => {
    await replica.catchUp();
    const [agentOfB] = b.agentIds;
    const data = okData(await api.graphql<{ allAgents: { nodes: Array<{ userId: string }> }; agentByRowId: unknown; dataFreshness: Freshness }>(
      `query ($id: UUID!) { allAgents(first: 100) { nodes { userId } } agentByRowId(rowId: $id) { name } ${FRESHNESS} }`,
      { id: agentOfB }, api.tokenFor(a.userId),
    ));
    expect(data.dataFreshness.answeredBy).toBe('replica');
    expect(data.allAgents.nodes.length).toBeGreaterThan(0);
    expect(data.allAgents.nodes.every((node) => node.userId === a.userId)).toBe(true);
    expect(data.agentByRowId).toBeNull();
    // Anonymous callers are refused on the replica as on the primary.
    expect(onlyError(await api.graphql(`{ allAgents(first: 10) { nodes { rowId } } }`)).code).toBe('FORBIDDEN');
  });

  it('a viewer reads on the replica and still cannot write', async () => {
    const token = api.tokenFor(a.userId, 'app_viewer', viewerId);
    const data = okData(await api.graphql<{ currentMember: { role: string }; dataFreshness: Freshness }>(`{ currentMember { role } ${FRESHNESS} }`, {}, token));
    expect(data.currentMember.role).toBe('viewer');
    expect(data.dataFreshness.answeredBy).toBe('replica');
    const refused = await api.graphql(CREATE_AGENT, { agent: { providerAgentId: 'replica-viewer', name: 'Viewer write' } }, token);
    expect(onlyError(refused).code).toBe('READ_ONLY_MEMBER');
    const { rows } = await db.pool.query(`select 1 from app_public.agents where name = 'Viewer write'`);
    expect(rows).toEqual([]);
  });

  it('a replica that cannot be reached: the primary answers', async () => {
    const deadPool = createPool({ connectionString: replicaConnectionString(readUrl(await findFreePort()), api.authPool.options.connectionString ?? ''), max: 1 });
    const router = createReadRouter({ primaryPool: api.authPool, replicaPool: deadPool, maxWaitMs: 300, logger: createLogger('test:unreachable') });
    try {
      const settings = { role: 'app_user', 'jwt.claims.user_id': a.userId };
      const { rows } = await router.forRequest('query', a.userId).withPgClient(settings, (client) =>
        client.query<{ standby: boolean }>({ text: 'select pg_is_in_recovery() as standby' }));
      expect(rows).toEqual([{ standby: false }]);
      expect(router.counts()).toMatchObject({ fallbackUnavailable: 1, replicaCalls: 0, primaryReadCalls: 1 });
      const registry = new Registry();
      registerReadRouterMetrics(registry, router);
      const exposed = await registry.metrics();
      expect(exposed).toContain('switchboard_graphql_read_routing_total{event="fallback_unavailable"} 1');
      expect(exposed).toContain('switchboard_graphql_read_routing_total{event="primary_read_calls"} 1');
    } finally {
      await endPool(deadPool);
    }
  });
});

describe('read-replica helpers', () => {
  it('WAL positions compare as numbers (X/Y hexadecimal)', () => {
    expect(parseLsn('0/3000028')).toBe(0x3000028n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(parseLsn('A/FF') > parseLsn('9/FFFFFFFF')).toBe(true);
    expect(() => parseLsn('nonsense')).toThrow(/WAL position/);
  });

  it('a replica URL without a user takes the GraphQL login; with one it is kept', () => {
    const auth = 'postgres://app_authenticator:s3cret@primary:5432/switchboard';
    expect(replicaConnectionString('postgres://replica:6432/switchboard', auth)).toBe('postgres://app_authenticator:s3cret@replica:6432/switchboard');
    expect(replicaConnectionString('postgres://reader:pw@replica:6432/switchboard', auth)).toBe('postgres://reader:pw@replica:6432/switchboard');
  });
});
