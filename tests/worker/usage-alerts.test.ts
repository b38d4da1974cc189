/**
 * usage__alerts through the real worker: alerts once per tenant, month and
 * threshold, and their SMS sent with the real `twilio` client to a local fake
 * Twilio API (request captured: account, credentials, To/From/Body); a
 * rejected SMS is recorded as failed, a transient failure retried; without
 * Twilio credentials alerts stay pending, then expire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { alertText } from '../../worker/tasks/usage__alerts.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { createTenant } from '../helpers/fixtures.ts';
import { waitFor } from './support.ts';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'fake-auth-token-0123456789';
const FROM = '+15550001111';

let db: TestDatabase;
let twilio: FakeTwilio;
let worker: WorkerHandle | undefined;

interface Alert {
  threshold_percent: number;
  balance: number;
  reference_balance: number;
  sms_to: string | null;
  sms_status: string;
  sms_error: string | null;
  sent: boolean;
}

async function startWith(sms: boolean): Promise<void> {
  await worker?.stop();
  worker = await startWorker({
    connectionString: db.connectionString,
    concurrency: 1,
    cron: false,
    pollInterval: 50,
    openai: null,
    sms: sms ? { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: twilio.baseUrl, timeoutMs: 5000 } : null,
  });
}

/** Queues usage__alerts as the crontab does and waits until it has run. */
async function runUsageAlerts(): Promise<void> {
  await db.pool.query(`select graphile_worker.add_job('usage__alerts', '{}'::json, queue_name := 'usage__alerts', job_key := 'usage__alerts')`);
  const left = await waitFor('usage__alerts to run', async () => {
    const { rows } = await db.pool.query<{ attempts: number; last_error: string | null }>(
      `select attempts, last_error from graphile_worker.jobs where key = 'usage__alerts'`,
    );
    return rows.length === 0 ? { ok: true } : rows[0]?.last_error ? { ok: false, error: rows[0].last_error } : null;
  });
  expect(left).toEqual({ ok: true });
}

/** A tenant whose month started with `purchased` credits and who has used `used`. */
async function tenantWithUsage(purchased: number, used: number, alertPhone: string | null): Promise<string> {
  const tenant = await createTenant(db.pool, { name: `Tenant ${alertPhone ?? 'without phone'}` });
  await db.pool.query('update app_public.users set alert_phone = $2 where id = $1', [tenant.id, alertPhone]);
  await db.pool.query(
    `insert into app_public.credit_transactions (user_id, type, amount, description)
     values ($1, 'purchase', $2, 'Top-up')`,
    [tenant.id, purchased],
  );
  await db.pool.query('select app_hidden.post_credit_transactions()');
  await use(tenant.id, used);
  return tenant.id;
}

async function use(userId: string, credits: number): Promise<void> {
  await db.pool.query(`insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'usage', $2, 'Calls')`, [
    userId,
    -credits,
  ]);
  await db.pool.query('select app_hidden.post_credit_transactions()');
}

async function alerts(userId: string): Promise<Alert[]> {
  const { rows } = await db.pool.query<Alert>(
    `select threshold_percent, balance, reference_balance, sms_to, sms_status, sms_error, sms_sent_at is not null as sent
       from app_public.usage_alerts where user_id = $1 order by threshold_percent desc`,
    [userId],
  );
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  twilio = await startFakeTwilio();
  await startWith(true);
});

afterAll(async () => {
  await worker?.stop();
  await twilio?.close();
  await db?.drop();
});

describe('usage__alerts with Twilio configured', () => {
  let alerted = '';

  it('creates one alert per threshold crossed and sends its SMS through the twilio client', async () => {
    alerted = await tenantWithUsage(1000, 850, '+15557654321');
    const silent = await tenantWithUsage(1000, 850, null);
    const before = twilio.messages.length;
    await runUsageAlerts();

    expect(await alerts(alerted)).toEqual([
      { threshold_percent: 20, balance: 150, reference_balance: 1000, sms_to: '+15557654321', sms_status: 'sent', sms_error: null, sent: true },
    ]);
    expect(await alerts(silent)).toEqual([
      { threshold_percent: 20, balance: 150, reference_balance: 1000, sms_to: null, sms_status: 'none', sms_error: null, sent: false },
    ]);
    const sent = twilio.messages.slice(before);
    expect(sent).toEqual([
      {
        method: 'POST',
        path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
        username: ACCOUNT_SID,
        password: AUTH_TOKEN,
        form: { To: '+15557654321', From: FROM, Body: alertText({ tenant_name: 'Tenant +15557654321', balance: 150, threshold_percent: 20, reference_balance: 1000 }) },
        reply: 'ok',
      },
    ]);
    expect(sent[0]?.form.Body).toContain('150 credits left, below 20%');
  });

  it('alerts once per threshold per month: a second run sends nothing', async () => {
    const before = twilio.messages.length;
    await runUsageAlerts();
    expect(twilio.messages.length).toBe(before);
    expect(await alerts(alerted)).toHaveLength(1);
  });

  it('the next threshold gets its own alert and SMS, once', async () => {
    await use(alerted, 100);
    const before = twilio.messages.length;
    await runUsageAlerts();
    await runUsageAlerts();
    expect((await alerts(alerted)).map((a) => [a.threshold_percent, a.balance, a.sms_status])).toEqual([
      [20, 150, 'sent'],
      [10, 50, 'sent'],
    ]);
    expect(twilio.messages.slice(before).map((m) => m.form.Body)).toEqual([
      alertText({ tenant_name: 'Tenant +15557654321', balance: 50, threshold_percent: 10, reference_balance: 1000 }),
    ]);
  });

  it('an SMS Twilio rejects is recorded as failed with its error, and not sent again', async () => {
    twilio.script({ kind: 'error', status: 400, code: 21211, message: "The 'To' number +15550000000 is not a valid phone number." });
    const rejected = await tenantWithUsage(500, 450, '+15550000000');
    await runUsageAlerts();
    const [alert] = await alerts(rejected);
    expect(alert).toMatchObject({ threshold_percent: 20, sms_status: 'failed', sent: false });
    expect(alert?.sms_error).toBe("Twilio 400 (21211): The 'To' number +15550000000 is not a valid phone number.");
    const before = twilio.messages.length;
    await runUsageAlerts();
    expect(twilio.messages.length).toBe(before);
  });

  it('a transient failure (503) keeps the SMS pending with the error; the next run sends it', async () => {
    twilio.script({ kind: 'error', status: 503, code: 20503, message: 'Service unavailable' });
    const later = await tenantWithUsage(500, 450, '+15557770000');
    await runUsageAlerts();
    expect(await alerts(later)).toMatchObject([{ sms_status: 'pending', sms_error: 'Twilio 503 (20503): Service unavailable', sent: false }]);
    await runUsageAlerts();
    expect(await alerts(later)).toMatchObject([{ sms_status: 'sent', sms_error: null, sent: true }]);
    expect(twilio.messages.filter((m) => m.form.To === '+15557770000').map((m) => m.reply)).toEqual(['error', 'ok']);
  });
});

describe('usage__alerts without Twilio credentials', () => {
  it('records the alert with its SMS pending (nothing sent), and marks it failed once 24 hours have passed', async () => {
    await startWith(false);
    const before = twilio.messages.length;
    const waiting = await tenantWithUsage(1000, 900, '+15558880000');
    await runUsageAlerts();
    expect(await alerts(waiting)).toMatchObject([{ sms_status: 'pending', sms_error: null, sent: false }]);
    await db.pool.query(`update app_public.usage_alerts set created_at = now() - interval '25 hours' where user_id = $1`, [waiting]);
    await runUsageAlerts();
    expect(await alerts(waiting)).toMatchObject([{ sms_status: 'failed', sms_error: 'not sent within 24 hours', sent: false }]);
    expect(twilio.messages.length).toBe(before);
  });
});
