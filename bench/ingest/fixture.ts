/** The ingest fixture: tenants in a few time zones, their agents and a contact pool per tenant. */
import type pg from 'pg';

export interface FixtureTenant {
  id: string;
  timezone: string;
  agentIds: string[];
  /** E.164 numbers of the tenant's contacts (calls pick from these). */
  phones: string[];
}

export interface IngestFixture {
  tenants: FixtureTenant[];
}

const TIMEZONES = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'] as const;

export async function createIngestFixture(
  db: Pick<pg.Pool, 'query'>,
  { tenants, agentsPerTenant, contactsPerTenant }: { tenants: number; agentsPerTenant: number; contactsPerTenant: number },
): Promise<IngestFixture> {
  await db.query(
    `insert into app_public.users (email, name, timezone)
     select format('bench-tenant-%s@bench.example', i), format('Bench tenant %s', i), ($2::text[])[1 + (i - 1) % cardinality($2::text[])]
       from generate_series(1, $1::int) i`,
    [tenants, TIMEZONES],
  );
  await db.query(
    `insert into app_public.agents (user_id, provider, provider_agent_id, name)
     select u.id, 'bolna', format('bench-agent-%s-%s', u.id, j), format('Agent %s', j)
       from app_public.users u cross join generate_series(1, $1::int) j`,
    [agentsPerTenant],
  );
  // +1 <3-digit tenant> <6-digit contact>: valid E.164, unique per tenant.
  await db.query(
    `insert into app_public.contacts (user_id, phone_number, name)
     select u.id, format('+1%s%s', lpad(u.n::text, 3, '0'), lpad(j::text, 6, '0')), format('Contact %s', j)
       from (select id, row_number() over (order by email) as n from app_public.users) u
      cross join generate_series(1, $1::int) j`,
    [contactsPerTenant],
  );
  const { rows } = await db.query<{ id: string; timezone: string; agent_ids: string[]; phones: string[] }>(
    `select u.id, u.timezone,
            (select array_agg(a.id order by a.provider_agent_id) from app_public.agents a where a.user_id = u.id) as agent_ids,
            (select array_agg(c.phone_number order by c.phone_number) from app_public.contacts c where c.user_id = u.id) as phones
       from app_public.users u
      order by u.email`,
  );
  return { tenants: rows.map((row) => ({ id: row.id, timezone: row.timezone, agentIds: row.agent_ids, phones: row.phones })) };
}
