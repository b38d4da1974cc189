/**
 * Storing and applying one authenticated, validated delivery:
 * `app_hidden.ingest_webhook(...)`, one statement on the owner pool in
 * autocommit. It inserts the raw delivery once per (tenant, provider, event key) and
 * applies it in a subtransaction, so when the statement returns the delivery
 * is committed, whether it applied or failed. If the statement throws
 * (database down, connection lost), nothing is claimed: the caller answers
 * 503 and the provider retries; a retry of a delivery that did commit is a
 * duplicate and changes nothing.
 */
import type pg from 'pg';

export type Provider = 'bolna' | 'twilio';

export interface Delivery {
  provider: Provider;
  userId: string;
  eventKey: string;
  /** The payload as JSON text (Bolna: parsed losslessly, so big integer ids keep their exact digits). */
  payloadJson: string;
  /** A few request headers worth keeping for support (never credentials). */
  headers: Record<string, string>;
}

export interface IngestResult {
  /** app_private.webhook_events.id (bigint, as text): for our logs only, never sent (a platform-wide sequence). */
  eventId: string;
  /** The delivery's own key (per tenant and provider): what responses name it by. */
  eventKey: string;
  duplicate: boolean;
  status: 'processed' | 'failed' | 'pending' | 'ignored';
  callId: string | null;
  /** SQLSTATE of the failure when status is failed. */
  errorCode: string | null;
  error: string | null;
}

interface Row {
  event_id: string;
  duplicate: boolean;
  status: IngestResult['status'];
  call_id: string | null;
  error_code: string | null;
  error: string | null;
}

export async function ingestDelivery(pool: pg.Pool, delivery: Delivery): Promise<IngestResult> {
  const { rows } = await pool.query<Row>(
    `select event_id, duplicate, status, call_id, error_code, error
       from app_hidden.ingest_webhook($1, $2, $3, $4::jsonb, $5::jsonb)`,
    [delivery.provider, delivery.userId, delivery.eventKey, delivery.payloadJson, JSON.stringify(delivery.headers)],
  );
  const row = rows[0];
  if (!row) throw new Error('app_hidden.ingest_webhook returned no row');
  return {
    eventId: String(row.event_id),
    eventKey: delivery.eventKey,
    duplicate: row.duplicate,
    status: row.status,
    callId: row.call_id,
    errorCode: row.error_code,
    error: row.error,
  };
}

/** Headers kept with a delivery: enough to trace it, nothing that authenticates. */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-forwarded-for', 'i-twilio-idempotency-token', 'x-home-region'];

export function keptHeaders(headers: Record<string, string | string[] | undefined>, remoteAddress: string | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (remoteAddress) kept['remote-address'] = remoteAddress;
  return kept;
}
