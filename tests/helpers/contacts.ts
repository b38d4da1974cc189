/**
 * Contacts from calls, as the tests check them: the contacts job
 * (`app_hidden.sync_contacts`, which links calls the link trigger skipped and
 * applies pending not_connected changes) and the invariants it must restore.
 * Run as the owner.
 *
 *   await syncContacts(db.pool);
 *   expect(await contactProblems(db.pool, tenant.id)).toEqual({ unlinked: 0, misLinked: 0, wrongCounters: [] });
 */
import type { Queryable } from './fixtures.ts';

/** Runs the contacts job once; returns the calls it linked (0 when another run holds its lock). */
export async function syncContacts(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select app_hidden.sync_contacts() as n');
  return rows[0]?.n ?? 0;
}

/** The not_connected counter of the tenant's contact for `phone` (-1 when there is no such contact). */
export async function notConnected(db: Queryable, userId: string, phone: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'select not_connected as n from app_public.contacts where user_id = $1 and phone_number = $2', [userId, phone],
  );
  return rows[0]?.n ?? -1;
}

export interface WrongCounter {
  phone_number: string;
  not_connected: number;
  /** The contact's calls that ended unanswered or failed. */
  missed: number;
}

export interface ContactProblems {
  /** Calls with a phone number and no contact. */
  unlinked: number;
  /** Calls linked to a contact of another phone number. */
  misLinked: number;
  /** Contacts whose not_connected is not the number of their missed calls (optionally only these phones). */
  wrongCounters: WrongCounter[];
}

/**
 * What is wrong with a tenant's contacts once the contacts job has caught up.
 * `phones`, when given, limits the counter check to those numbers (a deleted
 * call stays counted, so callers leave out the numbers whose calls they deleted).
 */
export async function contactProblems(db: Queryable, userId: string, phones?: readonly string[]): Promise<ContactProblems> {
  const { rows: links } = await db.query<{ unlinked: number; mislinked: number }>(
    `select count(*) filter (where c.contact_id is null)::int as unlinked,
            count(*) filter (where k.phone_number is distinct from c.phone_number and c.contact_id is not null)::int as mislinked
       from app_public.calls c
       left join app_public.contacts k on k.id = c.contact_id
      where c.user_id = $1 and c.phone_number is not null`,
    [userId],
  );
  const { rows: wrongCounters } = await db.query<WrongCounter>(
    `select k.phone_number, k.not_connected, x.missed
       from app_public.contacts k
      cross join lateral (select count(*)::int as missed from app_public.calls c
                           where c.contact_id = k.id and c.outcome in ('unanswered', 'failed')) x
      where k.user_id = $1 and ($2::text[] is null or k.phone_number = any ($2)) and k.not_connected <> x.missed
      order by k.phone_number`,
    [userId, phones ?? null],
  );
  return { unlinked: links[0]?.unlinked ?? 0, misLinked: links[0]?.mislinked ?? 0, wrongCounters };
}
