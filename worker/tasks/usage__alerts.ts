/**
 * usage__alerts (every minute): creates the usage alerts that are due
 * (`app_hidden.check_usage_alerts()`: once per tenant, month and threshold),
 * then sends the SMS of every alert still 'pending'.
 *
 * - Sent: sms_status 'sent', sms_sent_at. Rejected by Twilio (4xx other than
 *   429: invalid or unverified number, bad sender): 'failed' with sms_error.
 * - 429, 5xx, network: stays 'pending' with sms_error set, and the next run
 *   tries again, for up to PENDING_FOR_HOURS after the alert was created.
 * - No Twilio credentials configured: alerts are still created and stay
 *   'pending' (one warning per run), so configuring Twilio later delivers the
 *   recent ones; an alert still pending after PENDING_FOR_HOURS is marked
 *   'failed' ("not sent within 24 hours") rather than sent late.
 * - At least once: a crash between Twilio accepting a message and the status
 *   update sends that SMS again on the next run (better than losing an alert).
 *   Runs are serial (own queue, job key), so two runs never send the same alert.
 */
import type { JobHelpers, Task } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import { assertMaintenancePayload } from '../payloads.ts';
import { SmsError, type SmsSender } from '../sms/twilio.ts';

export interface UsageAlertDeps {
  /** Null when the platform's Twilio credentials are not configured. */
  sms: SmsSender | null;
  logger: Logger;
}

export const PENDING_FOR_HOURS = 24;
/** Alerts sent per run at most (the next run takes the rest). */
const BATCH = 100;

interface PendingAlert {
  id: string;
  sms_to: string;
  threshold_percent: number;
  balance: number;
  reference_balance: number;
  tenant_name: string;
}

/** The SMS text (one segment for typical figures). */
export function alertText(alert: Pick<PendingAlert, 'threshold_percent' | 'balance' | 'reference_balance' | 'tenant_name'>): string {
  return `Switchboard: ${alert.tenant_name} has ${alert.balance} credits left, below ${alert.threshold_percent}% of this month's ${alert.reference_balance}. Top up to keep your agents calling.`;
}

async function expireStale(helpers: JobHelpers): Promise<number> {
  const { rowCount } = await helpers.query(
    `update app_public.usage_alerts
        set sms_status = 'failed',
            sms_error = left(concat_ws('; ', 'not sent within ${PENDING_FOR_HOURS} hours', sms_error), 2000)
      where sms_status = 'pending' and created_at < now() - interval '${PENDING_FOR_HOURS} hours'`,
  );
  return rowCount ?? 0;
}

async function send(helpers: JobHelpers, sms: SmsSender, alert: PendingAlert, log: Logger): Promise<'sent' | 'failed' | 'retry'> {
  try {
    const sid = await sms.send(alert.sms_to, alertText(alert));
    await helpers.query(
      `update app_public.usage_alerts set sms_status = 'sent', sms_error = null, sms_sent_at = now() where id = $1`,
      [alert.id],
    );
    log.info(`usage alert ${alert.id}: SMS sent (${sid})`);
    return 'sent';
  } catch (error) {
    const failure = error instanceof SmsError ? error : new SmsError(String(error), false);
    await helpers.query(
      `update app_public.usage_alerts set sms_status = $2, sms_error = left($3, 2000) where id = $1`,
      [alert.id, failure.permanent ? 'failed' : 'pending', failure.message],
    );
    log.warn(`usage alert ${alert.id}: SMS ${failure.permanent ? 'failed' : 'not sent yet (will retry)'}: ${failure.message}`);
    return failure.permanent ? 'failed' : 'retry';
  }
}

export function createUsageAlerts(deps: UsageAlertDeps): Task<'usage__alerts'> {
  return async (payload, helpers) => {
    assertMaintenancePayload(payload);
    const log = deps.logger;
    const { rowCount: created } = await helpers.query('select 1 from app_hidden.check_usage_alerts()');
    if (created) log.info(`${created} new usage alert(s)`);
    const expired = await expireStale(helpers);
    if (expired) log.warn(`${expired} usage alert SMS not sent within ${PENDING_FOR_HOURS} hours, marked failed`);

    const { rows } = await helpers.query<PendingAlert>(
      `select a.id, a.sms_to, a.threshold_percent, a.balance, a.reference_balance, u.name as tenant_name
         from app_public.usage_alerts a join app_public.users u on u.id = a.user_id
        where a.sms_status = 'pending' and a.sms_to is not null
        order by a.created_at, a.id
        limit ${BATCH}`,
    );
    if (rows.length === 0) return;
    if (!deps.sms) {
      log.warn(`${rows.length} usage alert SMS pending: Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SMS_FROM)`);
      return;
    }
    const outcomes = { sent: 0, failed: 0, retry: 0 };
    for (const alert of rows) outcomes[await send(helpers, deps.sms, alert, log)] += 1;
    log.info(`usage alert SMS: ${outcomes.sent} sent, ${outcomes.failed} failed, ${outcomes.retry} to retry`);
  };
}
