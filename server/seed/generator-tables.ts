/**
 * The generator's session tables: one row per tenant (time zone, contact pool,
 * phone format, names, and the cumulative weights that pick its agents and
 * days) and one per agent. The chunk statements (call-chunk-sql.ts) join them.
 */
import type pg from 'pg';
import { CREATE_CHUNK_TABLE, SEED_AGENTS, SEED_CHUNK, SEED_TENANTS } from './call-chunk-sql.ts';
import { DAY_OF_WEEK_SQL } from './patterns.ts';
import { lowerBounds, sqlUniform } from './random.ts';
import { regionFor } from './regions.ts';

export interface GeneratorAgent {
  id: string;
  /** First name the agent introduces itself with in transcripts. */
  name: string;
  provider: 'bolna' | 'twilio';
  /** Relative share of the tenant's calls. */
  weight: number;
  /** Added to the 50% base success rate (about -0.05 to 0.05). */
  skill: number;
  /** Share of outbound calls, 0-1. */
  outboundShare: number;
}

export interface GeneratorTenant {
  userId: string;
  timezone: string;
  /** Relative share of all calls. */
  weight: number;
  /** Size of the tenant's contact pool (calls draw numbers from it, so contacts repeat). */
  contacts: number;
  /** The tenant's business and what it sells, for transcripts. */
  business: string;
  product: string;
  agents: GeneratorAgent[];
}

/** Per-tenant day weights are stored inline (storage plain), so a tenant row must fit in a page. */
export const MAX_DAYS = 730;

function tenantRows(tenants: readonly GeneratorTenant[], seed: number): unknown[] {
  return tenants.map((tenant, index) => {
    const region = regionFor(tenant.timezone);
    const mod = 10 ** region.phoneDigits;
    if (tenant.contacts < 1 || tenant.contacts > mod) throw new Error(`contacts must be between 1 and ${mod}`);
    if (tenant.agents.length === 0) throw new Error(`tenant ${tenant.userId} has no agents`);
    return {
      t: index + 1,
      user_id: tenant.userId,
      tz: tenant.timezone,
      pool: tenant.contacts,
      phone_prefix: region.phonePrefix,
      phone_digits: region.phoneDigits,
      phone_mod: mod,
      phone_salt: (seed * 7919 + (index + 1) * 104729) % mod,
      name_salt: seed * 7919 + index + 1,
      first_names: region.firstNames,
      last_names: region.lastNames,
      companies: region.companies,
      business: tenant.business,
      product: tenant.product,
      agent_lb: lowerBounds(tenant.agents.map((agent) => agent.weight)),
    };
  });
}

function agentRows(tenants: readonly GeneratorTenant[]): unknown[] {
  return tenants.flatMap((tenant, t) =>
    tenant.agents.map((agent, a) => ({
      agent_t: t + 1,
      agent_a: a + 1,
      agent_id: agent.id,
      agent_name: agent.name,
      provider: agent.provider,
      skill: agent.skill,
      outbound_share: agent.outboundShare,
    })),
  );
}

/** Writes the session's generator tables (tenants with their day weights, agents). */
export async function prepareGenerator(
  client: pg.ClientBase,
  tenants: readonly GeneratorTenant[],
  { days, seed, end, growth }: { days: number; seed: number; end: Date; growth: number },
): Promise<void> {
  await dropGeneratorTables(client);
  await client.query(`
    create temp table switchboard_seed_tenants (
      t int primary key, user_id uuid not null, tz text not null, end_ts timestamptz not null, today date not null,
      day_start timestamptz not null, frac_today float8 not null, pool bigint not null, phone_prefix text not null,
      phone_digits int not null, phone_mod bigint not null, phone_salt bigint not null, name_salt bigint not null,
      first_names text[] storage plain, last_names text[] storage plain, companies text[] storage plain,
      business text not null, product text not null, agent_lb float8[] storage plain, day_lb float8[] storage plain)`);
  await client.query(`
    create temp table switchboard_seed_agents (
      agent_t int, agent_a int, agent_id uuid not null, agent_name text not null, provider text not null,
      skill float8 not null, outbound_share float8 not null, primary key (agent_t, agent_a))`);
  await client.query(
    `insert into ${SEED_TENANTS}
     select x.t, x.user_id, x.tz, $2::timestamptz, l.today, l.day_start,
            least(1, greatest(0, extract(epoch from $2::timestamptz - l.day_start) / 86400)),
            x.pool, x.phone_prefix, x.phone_digits, x.phone_mod, x.phone_salt, x.name_salt, x.first_names,
            x.last_names, x.companies, x.business, x.product, x.agent_lb, null
       from jsonb_to_recordset($1::jsonb) as x(t int, user_id uuid, tz text, pool bigint, phone_prefix text,
              phone_digits int, phone_mod bigint, phone_salt bigint, name_salt bigint, first_names text[],
              last_names text[], companies text[], business text, product text, agent_lb float8[])
      cross join lateral (select ($2::timestamptz at time zone x.tz)::date as today) d
      cross join lateral (select d.today, (d.today::timestamp at time zone x.tz) as day_start) l`,
    [JSON.stringify(tenantRows(tenants, seed)), end],
  );
  // Daily volume: gentle growth x day of week x per-tenant noise; today only up to `end`.
  await client.query(
    `update ${SEED_TENANTS} st set day_lb = w.bounds
       from (select x.t, array_agg(x.lb order by x.d) as bounds
               from (select st.t, d, (sum(w.w) over (partition by st.t order by d) - w.w)
                                     / sum(w.w) over (partition by st.t) as lb
                       from ${SEED_TENANTS} st
                      cross join generate_series(1, $2::int) d
                      cross join lateral (select st.today - ($2::int - d) as day) dd
                      cross join lateral (select (1 + $3::float8 * (d - 1) / greatest($2::int - 1, 1))
                                                 * (${DAY_OF_WEEK_SQL})[extract(isodow from dd.day)::int]
                                                 * (0.8 + 0.4 * ${sqlUniform('st.t * 100000 + d', '$1', 900)})
                                                 * case when d = $2::int then greatest(st.frac_today, 0.01) else 1 end as w) w) x
              group by x.t) w
      where w.t = st.t`,
    [seed, days, growth],
  );
  await client.query(
    `insert into ${SEED_AGENTS}
     select * from jsonb_to_recordset($1::jsonb) as x(agent_t int, agent_a int, agent_id uuid, agent_name text,
                                                      provider text, skill float8, outbound_share float8)`,
    [JSON.stringify(agentRows(tenants))],
  );
  await client.query(CREATE_CHUNK_TABLE);
  await client.query(`analyze ${SEED_TENANTS}; analyze ${SEED_AGENTS}`);
}

export async function dropGeneratorTables(client: pg.ClientBase): Promise<void> {
  await client.query(`drop table if exists ${SEED_TENANTS}, ${SEED_AGENTS}, ${SEED_CHUNK}`);
}
