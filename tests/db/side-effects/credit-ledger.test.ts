/**
 * The credit ledger: call charges and corrections in app_hidden.credit_charges, moved into the ledger
 * and posted by app_hidden.post_credit_transactions, and available credits. Each test uses its own
 * tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { createCall, updateCall } from '../../helpers/fixtures.ts';
import { db, tenantWithAgent, useSideEffectsDatabase } from '../../helpers/side-effects.ts';

useSideEffectsDatabase();

interface LedgerRow {
  type: string;
  amount: number;
  call_id: string | null;
  description: string | null;
  balance_after: number | null;
  posted: boolean;
}

async function ledger(userId: string): Promise<LedgerRow[]> {
  const { rows } = await db.pool.query<LedgerRow>(
    `select type, amount, call_id, description, balance_after, posted_at is not null as posted
       from app_public.credit_transactions where user_id = $1 order by created_at, id`,
    [userId],
  );
  return rows;
}

interface Charge {
  amount: number;
  call_id: string | null;
  description: string;
}

/** Call charges not yet moved into the ledger, oldest first. */
async function charges(userId: string): Promise<Charge[]> {
  const { rows } = await db.pool.query<Charge>(
    `select amount, call_id, description from app_hidden.credit_charges where user_id = $1 order by created_at`,
    [userId],
  );
  return rows;
}

async function balances(userId: string): Promise<{ credits: number; available: number }> {
  const { rows } = await db.pool.query<{ credits: number; available: number }>(
    'select u.credits, app_public.users_available_credits(u) as available from app_public.users u where u.id = $1', [userId],
  );
  const [row] = rows;
  if (!row) throw new Error('tenant missing');
  return row;
}

describe('credit ledger', () => {
  it('opens with a posted signup bonus', async () => {
    const { tenant } = await tenantWithAgent(15);
    expect(await ledger(tenant.id)).toEqual([
      { type: 'bonus', amount: 15, call_id: null, description: 'Opening balance', balance_after: 15, posted: true },
    ]);
    expect(await balances(tenant.id)).toEqual({ credits: 15, available: 15 });
  });

  it('charges a billable call once, corrects duration changes, and ignores repeats', async () => {
    const { tenant, call } = await tenantWithAgent();
    const billed = await createCall(db.pool, call({ status: 'completed', durationSeconds: 125 }));
    await createCall(db.pool, call({ status: 'busy' }));
    await createCall(db.pool, call({ status: 'completed', durationSeconds: 0 }));
    // The trigger appends the charge; the ledger gets it when the credits job moves it.
    const usage: Charge = { amount: -3, call_id: billed.id, description: 'Call usage' };
    expect(await charges(tenant.id)).toEqual([usage]);
    expect(await ledger(tenant.id)).toEqual([]);
    expect(await balances(tenant.id)).toEqual({ credits: 0, available: -3 });

    // Identical repeats (a re-delivered webhook) and non-billing changes add nothing.
    await updateCall(db.pool, billed.id, { status: 'completed', durationSeconds: 125 });
    await updateCall(db.pool, billed.id, { durationSeconds: 130 });
    await updateCall(db.pool, billed.id, { hangupReason: 'caller' });
    expect(await charges(tenant.id)).toEqual([usage]);

    // Moved once: the charge becomes one posted usage row and is gone from the pending charges.
    await db.pool.query('select app_hidden.post_credit_transactions()');
    const posted = (charge: Charge, balanceAfter: number): LedgerRow => ({
      type: charge.amount > 0 ? 'refund' : 'usage', ...charge, balance_after: balanceAfter, posted: true,
    });
    expect(await charges(tenant.id)).toEqual([]);
    expect(await ledger(tenant.id)).toEqual([posted(usage, -3)]);
    expect(await balances(tenant.id)).toEqual({ credits: -3, available: -3 });
    // A repeat after posting charges nothing again, and posting again moves nothing.
    await updateCall(db.pool, billed.id, { status: 'completed', durationSeconds: 130 });
    await db.pool.query('select app_hidden.post_credit_transactions()');
    expect(await ledger(tenant.id)).toEqual([posted(usage, -3)]);
    expect(await balances(tenant.id)).toEqual({ credits: -3, available: -3 });

    await updateCall(db.pool, billed.id, { durationSeconds: 61 });
    await updateCall(db.pool, billed.id, { durationSeconds: 241 });
    await updateCall(db.pool, billed.id, { status: 'failed' });
    const correction = (amount: number, from: number, to: number): Charge => ({
      amount, call_id: billed.id, description: `Call usage correction (${from} -> ${to} credits)`,
    });
    const corrections = [correction(1, 3, 2), correction(-3, 2, 5), correction(5, 5, 0)];
    expect(await charges(tenant.id)).toEqual(corrections);
    // Back to billable from 0 credits: an ordinary usage charge.
    await updateCall(db.pool, billed.id, { status: 'completed' });
    const again: Charge = { ...usage, amount: -5 };
    expect(await charges(tenant.id)).toEqual([...corrections, again]);
    expect(await balances(tenant.id)).toEqual({ credits: -3, available: -5 });

    // Posting moves them in order: refunds for positive amounts, usage for negative ones.
    await db.pool.query('select app_hidden.post_credit_transactions()');
    expect(await charges(tenant.id)).toEqual([]);
    expect(await ledger(tenant.id)).toEqual([
      posted(usage, -3), posted(corrections[0]!, -2), posted(corrections[1]!, -5), posted(corrections[2]!, 0), posted(again, -5),
    ]);
    const { rows: sums } = await db.pool.query<{ charged: number; credits: number }>(
      `select -sum(t.amount)::int as charged, (select credits_used from app_public.calls where id = $1) as credits
         from app_public.credit_transactions t where t.call_id = $1`,
      [billed.id],
    );
    expect(sums[0]).toEqual({ charged: 5, credits: 5 });
    expect(await balances(tenant.id)).toEqual({ credits: -5, available: -5 });

    // A call deleted before its charge is moved keeps the charge, without the link.
    const gone = await createCall(db.pool, call({ status: 'completed', durationSeconds: 60 }));
    await db.pool.query('delete from app_public.calls where id = $1', [gone.id]);
    expect(await charges(tenant.id)).toEqual([{ amount: -1, call_id: gone.id, description: 'Call usage' }]);
    await db.pool.query('select app_hidden.post_credit_transactions()');
    expect(await charges(tenant.id)).toEqual([]);
    expect((await ledger(tenant.id)).at(-1)).toEqual(posted({ amount: -1, call_id: null, description: 'Call usage' }, -6));
    expect(await balances(tenant.id)).toEqual({ credits: -6, available: -6 });
  });

  it('posting assigns balance_after in order and moves users.credits; available credits include unposted rows', async () => {
    const { tenant, call } = await tenantWithAgent(10);
    await db.pool.query(
      `insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'purchase', 100, 'top-up')`,
      [tenant.id],
    );
    const first = await createCall(db.pool, call({ status: 'completed', durationSeconds: 90 }));
    await createCall(db.pool, call({ status: 'completed', durationSeconds: 600 }));
    expect(await balances(tenant.id)).toEqual({ credits: 10, available: 10 + 100 - 2 - 10 });

    await db.pool.query('select app_hidden.post_credit_transactions()');
    expect((await ledger(tenant.id)).map((r) => [r.amount, r.balance_after, r.posted])).toEqual([
      [10, 10, true], [100, 110, true], [-2, 108, true], [-10, 98, true],
    ]);
    expect(await balances(tenant.id)).toEqual({ credits: 98, available: 98 });

    // A correction after posting is pending until the next run.
    await updateCall(db.pool, first.id, { durationSeconds: 30 });
    expect(await balances(tenant.id)).toEqual({ credits: 98, available: 99 });
    const { rows: posted } = await db.pool.query<{ n: number }>('select app_hidden.post_credit_transactions() as n');
    expect(posted[0]?.n).toBeGreaterThanOrEqual(1);
    expect((await ledger(tenant.id)).at(-1)).toMatchObject({ amount: 1, balance_after: 99, posted: true });
    expect(await balances(tenant.id)).toEqual({ credits: 99, available: 99 });
    // Nothing pending: posting again changes nothing.
    await db.pool.query('select app_hidden.post_credit_transactions()');
    expect(await balances(tenant.id)).toEqual({ credits: 99, available: 99 });
  });
});
