/** Existing tenants as call generators see them: time zone, agents and a pool of numbers to call. */
import type pg from 'pg';
import type { FixtureTenant } from './ingest/fixture.ts';

export async function tenantsById(db: Pick<pg.ClientBase, 'query'>, ids: readonly string[]): Promise<FixtureTenant[]> {
  const { rows } = await db.query<{ id: string; timezone: string; agent_ids: string[] }>(
    `select u.id, u.timezone, array_agg(a.id order by a.id) as agent_ids
       from app_public.users u join app_public.agents a on a.user_id = u.id
      where u.id = any($1::uuid[])
      group by u.id, u.timezone
      order by u.id`,
    [ids],
  );
  // A synthetic pool of numbers; the contact-linking trigger creates the contacts it lacks.
  const phones = Array.from({ length: 200 }, (_, j) => `+1999${String(j).padStart(7, '0')}`);
  return rows.map((row) => ({ id: row.id, timezone: row.timezone, agentIds: row.agent_ids, phones }));
}
