/**
 * The KPI cards' definitions come from one place: the comments on the fields
 * of app_public.kpi_figures, read by app_public.kpi_definitions() (the
 * dashboard shows them on hover and focus). Every field a KPI card shows has
 * one, the function returns exactly the comments, and a tenant may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';

/** The fields of KpiFigures the overview's and the agent page's cards show (dashboard/src/components/KpiCards.tsx). */
const CARD_FIELDS = ['calls', 'answer_rate', 'success_rate', 'average_duration_seconds', 'leads', 'hot_leads', 'conversion_rate', 'cta_rate', 'credits_used'];

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('app_public.kpi_definitions', () => {
  it('returns every field of kpi_figures with its comment, in field order', async () => {
    const { rows } = await db.pool.query<{ kpi: string; definition: string | null; comment: string | null }>(
      `select a.attname as kpi, d.definition, col_description(a.attrelid, a.attnum) as comment
         from pg_attribute a
         left join unnest(app_public.kpi_definitions()) d on d.kpi = a.attname
        where a.attrelid = 'app_public.kpi_figures'::regclass and a.attnum > 0 and not a.attisdropped
        order by a.attnum`,
    );
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      expect({ kpi: row.kpi, commented: (row.comment ?? '').length > 10 }).toEqual({ kpi: row.kpi, commented: true });
      expect({ kpi: row.kpi, definition: row.definition }).toEqual({ kpi: row.kpi, definition: row.comment });
    }
    const { rows: order } = await db.pool.query<{ kpi: string }>('select d.kpi from unnest(app_public.kpi_definitions()) with ordinality d(kpi, definition, n) order by n');
    expect(order.map((r) => r.kpi)).toEqual(rows.map((r) => r.kpi));
    for (const field of CARD_FIELDS) expect(rows.map((r) => r.kpi)).toContain(field);
  });

  it('follows the comment when it changes (no second copy)', async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await client.query(`comment on column app_public.kpi_figures.calls is 'Changed for the test.'`);
        const { rows } = await client.query<{ definition: string }>(`select d.definition from unnest(app_public.kpi_definitions()) d where d.kpi = 'calls'`);
        expect(rows[0]?.definition).toBe('Changed for the test.');
      }),
    );
  });

  it('is callable by a signed-in tenant', async () => {
    const { rows: users } = await db.pool.query<{ id: string }>(`insert into app_public.users (name, email) values ('Defs', 'defs@example.com') returning id`);
    const userId = users[0]?.id;
    if (!userId) throw new Error('no user');
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, userId);
        const { rows } = await client.query<{ n: number }>('select cardinality(app_public.kpi_definitions()) as n');
        expect(rows[0]?.n).toBeGreaterThan(20);
      }),
    );
  });
});
