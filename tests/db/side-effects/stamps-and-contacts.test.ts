/**
 * updated_at stamps, and contacts created and counted from calls (the not_connected counter is applied
 * by the contacts job, app_hidden.sync_contacts). Each test uses its own tenant on this file's
 * database.
 */
import { describe, expect, it } from 'vitest';
import { notConnected, syncContacts } from '../../helpers/contacts.ts';
import { inTransaction, withClient } from '../../helpers/db.ts';
import { createAnalysis, createCall, phoneNumber, updateCall } from '../../helpers/fixtures.ts';
import { db, tenantWithAgent, useSideEffectsDatabase } from '../../helpers/side-effects.ts';

useSideEffectsDatabase();

describe('updated_at', () => {
  it('is stamped on update of users, agents, contacts, calls and analyses', async () => {
    const { tenant, agentId, call } = await tenantWithAgent();
    const row = await createCall(db.pool, call({ status: 'in_progress', phoneNumber: phoneNumber(11) }));
    await createAnalysis(db.pool, { userId: tenant.id, callId: row.id });
    const updates: [string, string, string][] = [
      ['app_public.users', `name = 'renamed'`, tenant.id],
      ['app_public.agents', `description = 'new'`, agentId],
      ['app_public.contacts', `company = 'ACME'`, row.contactId ?? ''],
      ['app_public.calls', `status = 'completed'`, row.id],
      ['app_public.lead_analytics', 'is_read = true', row.id],
    ];
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        for (const [table, , id] of updates) {
          const key = table === 'app_public.lead_analytics' ? 'call_id' : 'id';
          await client.query(`update ${table} set updated_at = '2020-01-01' where ${key} = $1`, [id]);
          const { rows: stale } = await client.query<{ old: boolean }>(
            `select updated_at = '2020-01-01' as old from ${table} where ${key} = $1`, [id],
          );
          // The trigger stamps every update, even one that sets updated_at itself.
          expect(stale[0]?.old, table).toBe(false);
        }
      }),
    );
    // Committed updates: updated_at moves to the updating transaction's time, created_at stays.
    await db.pool.query(`update app_public.calls set created_at = '2020-01-01', updated_at = '2020-01-01' where id = $1`, [row.id]);
    for (const [table, set, id] of updates) {
      const key = table === 'app_public.lead_analytics' ? 'call_id' : 'id';
      const { rows } = await db.pool.query<{ stamped: boolean }>(
        `with u as (update ${table} set ${set} where ${key} = $1 returning updated_at, created_at)
         select updated_at = now() and updated_at >= created_at as stamped from u`,
        [id],
      );
      expect(rows, table).toEqual([{ stamped: true }]);
    }
    const { rows: created } = await db.pool.query<{ created_at: Date }>('select created_at from app_public.calls where id = $1', [row.id]);
    expect(created[0]?.created_at.toISOString()).toBe('2020-01-01T00:00:00.000Z');
  });
});

describe('contacts from calls', () => {
  it('creates one contact per tenant and phone number and links every call to it', async () => {
    const { tenant, call } = await tenantWithAgent();
    const other = await tenantWithAgent();
    const phone = phoneNumber(21);
    const first = await createCall(db.pool, call({ phoneNumber: phone, callerName: 'Ada' }));
    const second = await createCall(db.pool, call({ phoneNumber: phone, callerName: 'Someone else' }));
    const elsewhere = await createCall(db.pool, other.call({ phoneNumber: phone }));
    const anonymous = await createCall(db.pool, call({ phoneNumber: null }));

    const { rows } = await db.pool.query(
      `select user_id, name, is_auto_created, auto_creation_source, auto_created_from_call_id
         from app_public.contacts where phone_number = $1 order by user_id = $2 desc`,
      [phone, tenant.id],
    );
    expect(rows).toEqual([
      { user_id: tenant.id, name: 'Ada', is_auto_created: true, auto_creation_source: 'call', auto_created_from_call_id: first.id },
      { user_id: other.tenant.id, name: null, is_auto_created: true, auto_creation_source: 'call', auto_created_from_call_id: elsewhere.id },
    ]);
    expect(first.contactId).not.toBeNull();
    expect(second.contactId).toBe(first.contactId);
    expect(elsewhere.contactId).not.toBe(first.contactId);
    expect(anonymous.contactId).toBeNull();
  });

  it('links a call to an existing manual contact without creating another', async () => {
    const { tenant, call } = await tenantWithAgent();
    const phone = phoneNumber(22);
    const { rows } = await db.pool.query<{ id: string }>(
      `insert into app_public.contacts (user_id, phone_number, name) values ($1, $2, 'Known') returning id`, [tenant.id, phone],
    );
    const linked = await createCall(db.pool, call({ phoneNumber: phone, callerName: 'Ignored' }));
    expect(linked.contactId).toBe(rows[0]?.id);
    const { rows: contacts } = await db.pool.query(
      'select name, is_auto_created from app_public.contacts where user_id = $1', [tenant.id],
    );
    expect(contacts).toEqual([{ name: 'Known', is_auto_created: false }]);
  });

  /** The counter once the contacts job has applied the pending changes. */
  async function syncedNotConnected(userId: string, phone: string): Promise<number> {
    await syncContacts(db.pool);
    return notConnected(db.pool, userId, phone);
  }

  it('counts unanswered and failed calls in not_connected, and corrections move the count back', async () => {
    const { tenant, call } = await tenantWithAgent();
    const phone = phoneNumber(23);
    const count = (): Promise<number> => syncedNotConnected(tenant.id, phone);
    const busy = await createCall(db.pool, call({ phoneNumber: phone, status: 'busy' }));
    expect(await count()).toBe(1);
    const ok = await createCall(db.pool, call({ phoneNumber: phone, status: 'completed', durationSeconds: 60 }));
    expect(await count()).toBe(1);
    const missed = await createCall(db.pool, call({ phoneNumber: phone, status: 'no_answer' }));
    expect(await count()).toBe(2);
    // unanswered -> failed: still missed, no change.
    await updateCall(db.pool, missed.id, { status: 'failed' });
    expect(await count()).toBe(2);
    // busy -> completed with conversation: back down.
    await updateCall(db.pool, busy.id, { status: 'completed', durationSeconds: 40 });
    expect(await count()).toBe(1);
    // successful -> voicemail (unanswered), then -> no conversation, then a real conversation again.
    await updateCall(db.pool, ok.id, { answeredByVoicemail: true });
    expect(await count()).toBe(2);
    await updateCall(db.pool, ok.id, { answeredByVoicemail: false, durationSeconds: 0 });
    expect(await count()).toBe(2);
    await updateCall(db.pool, ok.id, { durationSeconds: 10 });
    expect(await count()).toBe(1);
    // Repeated identical updates change nothing.
    await updateCall(db.pool, missed.id, { status: 'failed' });
    await updateCall(db.pool, missed.id, { status: 'failed' });
    expect(await count()).toBe(1);
    const { rows } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from app_public.calls where contact_id = $1 and outcome in ('unanswered', 'failed')`,
      [busy.contactId],
    );
    expect(rows[0]?.n).toBe(1);
  });

  // Bug report: in the not-connected part of the call trigger (now app_private.tg_calls__write_effects), a call
  // without outcome (not ended yet) makes is_missed (and, on update, was_missed) NULL, so "was_missed = is_missed"
  // is not true and the counter is decremented.
  it('calls that have not ended yet do not move not_connected', async () => {
    const { tenant, call } = await tenantWithAgent();
    const phone = phoneNumber(24);
    const count = (): Promise<number> => syncedNotConnected(tenant.id, phone);
    await createCall(db.pool, call({ phoneNumber: phone, status: 'busy' }));
    expect(await count()).toBe(1);
    const queued = await createCall(db.pool, call({ phoneNumber: phone, status: 'queued' }));
    expect(await count()).toBe(1);
    await updateCall(db.pool, queued.id, { status: 'ringing' });
    await updateCall(db.pool, queued.id, { status: 'in_progress' });
    expect(await count()).toBe(1);
    await updateCall(db.pool, queued.id, { status: 'no_answer' });
    expect(await count()).toBe(2);
  });
});
