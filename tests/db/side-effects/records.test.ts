/**
 * Follow-up completion stamps, customer references and analysis prompt versions. Each test uses its
 * own tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { asTenant, inTransaction, withClient } from '../../helpers/db.ts';
import { phoneNumber } from '../../helpers/fixtures.ts';
import { db, tenantWithAgent, useSideEffectsDatabase } from '../../helpers/side-effects.ts';

useSideEffectsDatabase();

describe('follow-ups', () => {
  it('completing stamps completed_by (the current tenant) and completed_at; the client cannot set them', async () => {
    const { tenant } = await tenantWithAgent();
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, tenant.id);
        const stamps = `status, created_by, completed_by, completed_at = now() as completed_now, completed_at is null as open`;
        const { rows: created } = await client.query<{ id: string; created_by: string }>(
          `insert into app_public.follow_ups (user_id, lead_phone, follow_up_date) values ($1, $2, current_date + 1)
           returning id, created_by`,
          [tenant.id, phoneNumber(41)],
        );
        const id = created[0]?.id ?? '';
        expect(created[0]?.created_by).toBe(tenant.id);
        const update = async (set: string): Promise<Record<string, unknown> | undefined> => {
          const { rows } = await client.query(`update app_public.follow_ups set ${set} where id = $1 returning ${stamps}`, [id]);
          return rows[0];
        };
        const completed = { status: 'completed', created_by: tenant.id, completed_by: tenant.id, completed_now: true, open: false };
        expect(await update(`status = 'completed'`)).toEqual(completed);
        // Other changes keep the stamps.
        expect(await update(`remark = 'done by phone'`)).toEqual(completed);
        // Reopened or cancelled: cleared.
        expect(await update(`status = 'pending'`)).toEqual({
          status: 'pending', created_by: tenant.id, completed_by: null, completed_now: null, open: true,
        });
        expect(await update(`status = 'completed'`)).toEqual(completed);
        expect(await update(`status = 'cancelled'`)).toEqual({
          status: 'cancelled', created_by: tenant.id, completed_by: null, completed_now: null, open: true,
        });

        // Neither stamp is the client's to write.
        for (const set of [`completed_by = '${tenant.id}'`, `completed_at = now()`]) {
          await client.query('savepoint forge');
          await expect(client.query(`update app_public.follow_ups set ${set} where id = $1`, [id]))
            .rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
          await client.query('rollback to savepoint forge');
        }
      }),
    );
  });
});

describe('customers', () => {
  it('get CUST-YYYY-NNNN references numbered per tenant and year', async () => {
    const { tenant } = await tenantWithAgent();
    const other = await tenantWithAgent();
    const insert = async (userId: string, conversion: string | null, n = 1): Promise<string[]> => {
      const { rows } = await db.pool.query<{ reference: string }>(
        `insert into app_public.customers (user_id, name, conversion_date)
         select $1, 'Customer ' || i, coalesce($2::timestamptz, now()) from generate_series(1, $3::int) i
         returning reference`,
        [userId, conversion, n],
      );
      return rows.map((row) => row.reference).sort();
    };
    const { rows: year } = await db.pool.query<{ y: string }>(`select extract(year from now())::text as y`);
    const y = year[0]?.y ?? '';
    expect(await insert(tenant.id, null)).toEqual([`CUST-${y}-0001`]);
    // Another tenant starts its own sequence (a reference reveals nothing about other tenants).
    expect(await insert(other.tenant.id, null)).toEqual([`CUST-${y}-0001`]);
    expect(await insert(tenant.id, null)).toEqual([`CUST-${y}-0002`]);
    // Another year too.
    expect(await insert(tenant.id, '2024-06-01T12:00:00Z')).toEqual(['CUST-2024-0001']);
    // A batch takes consecutive numbers.
    expect(await insert(tenant.id, null, 3)).toEqual([`CUST-${y}-0003`, `CUST-${y}-0004`, `CUST-${y}-0005`]);
    expect(await insert(other.tenant.id, null)).toEqual([`CUST-${y}-0002`]);
    const { rows: counters } = await db.pool.query(
      `select user_id, year, last_used from app_private.customer_reference_counters
        where user_id = any ($1) order by user_id = $2 desc, year`,
      [[tenant.id, other.tenant.id], tenant.id],
    );
    expect(counters).toEqual([
      { user_id: tenant.id, year: 2024, last_used: 1 },
      { user_id: tenant.id, year: Number(y), last_used: 5 },
      { user_id: other.tenant.id, year: Number(y), last_used: 2 },
    ]);
  });
});

describe('analysis prompts', () => {
  it('bump the prompt version whenever a prompt changes, and only then', async () => {
    const { tenant } = await tenantWithAgent();
    const version = async (set: string): Promise<number> => {
      const { rows } = await db.pool.query<{ v: number }>(
        `update app_public.users set ${set} where id = $1 returning analysis_prompt_version as v`, [tenant.id],
      );
      return rows[0]?.v ?? 0;
    };
    expect(await version(`name = name`)).toBe(1);
    expect(await version(`analysis_prompt_individual = 'Score the lead'`)).toBe(2);
    expect(await version(`name = 'Renamed'`)).toBe(2);
    expect(await version(`analysis_prompt_individual = 'Score the lead'`)).toBe(2);
    expect(await version(`analysis_prompt_complete = 'Summarise the contact'`)).toBe(3);
    expect(await version(`analysis_prompt_individual = 'A', analysis_prompt_complete = 'B'`)).toBe(4);
    expect(await version(`analysis_prompt_individual = null`)).toBe(5);
    // The version is derived: setting it directly is overridden only when a prompt changes.
    expect(await version(`analysis_prompt_complete = 'C', analysis_prompt_version = 42`)).toBe(6);
  });
});
