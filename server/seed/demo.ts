/**
 * Demo data for a fresh database (`npm start` calls this on every start): three
 * tenants in three time zones with their agents, phone numbers, 90 days of
 * calls ending now (transcripts, analyses, contacts), targets, follow-ups,
 * customers and credit purchases, plus a demo login and an admin login. Runs in
 * one transaction, only when there are no users at all.
 */
import type pg from 'pg';
import { createLogger, type Logger } from '../../kernel/log.ts';
import { insertCustomers, insertFollowUps, insertPurchases, insertTargets } from './demo-extras.ts';
import { ADMIN_EMAIL, agentConfig, DEMO_EMAIL, DEMO_PASSWORD, DEMO_TENANTS, type DemoTenant } from './demo-tenants.ts';
import { insertCompleteAnalyses, settleLoad } from './finish.ts';
import { generateCalls, type GeneratorTenant } from './generate.ts';
import { regionFor } from './regions.ts';

export interface DemoLogin {
  email: string;
  password: string;
  adminEmail: string;
}

export interface DemoSeedResult {
  /** False when the database already had users (nothing was written). */
  seeded: boolean;
  tenants: number;
  agents: number;
  calls: number;
  analyses: number;
  transcripts: number;
  seconds: number;
  /** Set when this call seeded the database. */
  login?: DemoLogin;
}

export interface DemoOptions {
  /** Calls over all tenants (default 16,000). */
  calls?: number;
  /** Days of history (default 90). */
  days?: number;
  seed?: number;
  /** The demo's "now" (default: now). */
  end?: Date;
}

const DEFAULT_CALLS = 16_000;
const DEFAULT_DAYS = 90;
const DEFAULT_SEED = 20_240_601;

interface CreatedTenant {
  spec: DemoTenant;
  userId: string;
  agentIds: string[];
}

async function createTenants(client: pg.ClientBase): Promise<CreatedTenant[]> {
  const created: CreatedTenant[] = [];
  for (const [index, spec] of DEMO_TENANTS.entries()) {
    const { rows } = await client.query<{ id: string }>(
      `insert into app_public.users (email, name, timezone, email_verified, created_at)
       values ($1, $2, $3, true, now() - interval '120 days') returning id`,
      [spec.email, spec.name, spec.timezone],
    );
    const userId = rows[0]?.id;
    if (!userId) throw new Error(`tenant ${spec.email} not created`);
    const region = regionFor(spec.timezone);
    const agents = await client.query<{ id: string }>(
      `insert into app_public.agents (user_id, provider, provider_agent_id, name, description, config, created_at)
       select $1, a.provider,
              case when a.provider = 'bolna' then md5($2 || a.name)::uuid::text else 'AP' || md5($2 || a.name) end,
              a.name, a.description, a.config, now() - interval '100 days'
         from rows from (jsonb_to_recordset($3::jsonb) as (provider text, name text, description text, config jsonb))
              with ordinality as a(provider, name, description, config, n)
        order by a.n
       returning id`,
      [userId, spec.email, JSON.stringify(spec.agents.map((agent) => ({ ...agent, config: agentConfig(spec, agent) })))],
    );
    const agentIds = agents.rows.map((row) => row.id);
    // One line per agent, from the top of the region's number range (never a contact's number in practice).
    await client.query(
      `insert into app_public.phone_numbers (user_id, agent_id, name, phone_number, created_by)
       select $1, a.id, a.name, $3 || lpad((power(10, $4::int)::bigint - 1000 + $5::int * 10 + x.n)::text, $4::int, '0'), $1
         from unnest($2::uuid[]) with ordinality x(id, n)
         join app_public.agents a on a.id = x.id`,
      [userId, agentIds, region.phonePrefix, region.phoneDigits, index],
    );
    created.push({ spec, userId, agentIds });
  }
  return created;
}

async function createLogins(client: pg.ClientBase, demoUserId: string): Promise<void> {
  const { rows } = await client.query<{ id: string }>(
    `insert into app_public.users (email, name, role, timezone, email_verified)
     values ($1, 'Switchboard Admin', 'admin', 'UTC', true) returning id`,
    [ADMIN_EMAIL],
  );
  await client.query(
    `insert into app_private.user_secrets (user_id, password_hash)
     select id, public.crypt($2, public.gen_salt('bf')) from unnest($1::uuid[]) id`,
    [[demoUserId, rows[0]?.id], DEMO_PASSWORD],
  );
}

function generatorTenants(created: readonly CreatedTenant[], calls: number): GeneratorTenant[] {
  const totalWeight = created.reduce((sum, tenant) => sum + tenant.spec.weight, 0);
  return created.map(({ spec, userId, agentIds }) => ({
    userId,
    timezone: spec.timezone,
    weight: spec.weight,
    contacts: Math.max(50, Math.round((calls * spec.weight) / totalWeight / 4)),
    business: spec.name,
    product: spec.product,
    agents: spec.agents.map((agent, i) => ({
      id: agentIds[i] ?? '',
      name: agent.persona,
      provider: agent.provider,
      weight: agent.weight,
      skill: agent.skill,
      outboundShare: agent.outboundShare,
    })),
  }));
}

/** Seeds the demo if `app_public.users` is empty; returns what it did (and the demo login when it seeded). */
export async function seedDemoIfEmpty(
  pool: pg.Pool,
  logger: Logger = createLogger('seed'),
  options: DemoOptions = {},
): Promise<DemoSeedResult> {
  const started = performance.now();
  const calls = options.calls ?? DEFAULT_CALLS;
  const days = options.days ?? DEFAULT_DAYS;
  const end = options.end ?? new Date();
  const seed = options.seed ?? DEFAULT_SEED;
  const client = await pool.connect();
  try {
    await client.query('begin');
    // Two processes starting at once: the second waits, then finds the users.
    await client.query(`select pg_advisory_xact_lock(hashtextextended('switchboard.seed_demo', 0))`);
    const { rows } = await client.query<{ empty: boolean }>('select not exists (select 1 from app_public.users) as empty');
    if (!rows[0]?.empty) {
      await client.query('rollback');
      return { seeded: false, tenants: 0, agents: 0, calls: 0, analyses: 0, transcripts: 0, seconds: 0 };
    }
    await client.query(`set local work_mem = '64MB'`);
    const created = await createTenants(client);
    const userIds = created.map((tenant) => tenant.userId);
    await createLogins(client, userIds[0] ?? '');
    const generated = await generateCalls(client, generatorTenants(created, calls), {
      calls,
      days,
      seed,
      end,
      analysesRatio: 0.9,
      transcripts: true,
      growth: 0.25,
      nonce: `de30${seed.toString(16)}`,
    });
    const generatedAt = performance.now();
    await insertCompleteAnalyses(client, userIds);
    await insertTargets(client, userIds, end);
    await insertFollowUps(client, userIds, end);
    await insertCustomers(client, userIds);
    await insertPurchases(client, userIds, new Date(end.getTime() - days * 86_400_000));
    const extrasAt = performance.now();
    const settled = await settleLoad(client);
    await client.query('commit');
    logger.debug('demo seed steps (s)', {
      calls: ((generatedAt - started) / 1000).toFixed(2),
      ...Object.fromEntries(Object.entries(generated.timings).map(([step, t]) => [`calls.${step}`, t.toFixed(2)])),
      extras: ((extrasAt - generatedAt) / 1000).toFixed(2),
      ...Object.fromEntries(Object.entries(settled.timings).map(([step, t]) => [step, t.toFixed(2)])),
    });
    const seconds = (performance.now() - started) / 1000;
    const agents = created.reduce((sum, tenant) => sum + tenant.agentIds.length, 0);
    logger.info(
      `demo data: ${created.length} tenants, ${agents} agents, ${generated.calls} calls, ` +
        `${generated.analyses} analyses, ${generated.transcripts} transcripts in ${seconds.toFixed(1)} s`,
    );
    return {
      seeded: true,
      tenants: created.length,
      agents,
      calls: generated.calls,
      analyses: generated.analyses,
      transcripts: generated.transcripts,
      seconds,
      login: { email: DEMO_TENANTS[0]?.email ?? '', password: DEMO_PASSWORD, adminEmail: ADMIN_EMAIL },
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export interface DemoLoginLine {
  email: string;
  password: string;
  role: 'tenant' | 'admin';
}

/**
 * The demo logins that still open with the published password (none once
 * they are deleted or their password changed), tenant first.
 */
export async function workingDemoLogins(pool: pg.Pool): Promise<DemoLoginLine[]> {
  const { rows } = await pool.query<{ email: string; admin: boolean }>(
    `select u.email, u.role = 'admin' as admin
       from app_public.users u
       join app_private.user_secrets s on s.user_id = u.id
      where u.email = any($1::text[]) and s.password_hash = public.crypt($2, s.password_hash)
      order by u.role = 'admin', u.email`,
    [[DEMO_EMAIL, ADMIN_EMAIL], DEMO_PASSWORD],
  );
  return rows.map((row) => ({ email: row.email, password: DEMO_PASSWORD, role: row.admin ? 'admin' : 'tenant' }));
}

/**
 * Start-up: seeds the demo into an empty database when `seed` (config.demoData),
 * then prints the demo logins on every start while they work (a warning in
 * production, where they must not exist: change the password or delete them).
 */
export async function announceDemo(pool: pg.Pool, logger: Logger, { seed, production }: { seed: boolean; production: boolean }): Promise<DemoLoginLine[]> {
  if (seed) await seedDemoIfEmpty(pool, logger);
  const logins = await workingDemoLogins(pool);
  for (const login of logins) {
    const line = `demo login (${login.role}): ${login.email} / ${login.password}`;
    if (production) logger.warn(`${line}: the password is published; change it or delete the user`);
    else logger.info(line);
  }
  return logins;
}
