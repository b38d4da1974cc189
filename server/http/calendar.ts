/**
 * POST /api/calendar/appointments — a calendar tool (Cal.com, Calendly, a
 * Zapier step...) reports a booking it created or changed.
 *
 *   Authorization: Bearer sbk_...   an API key with the write scope (a signed-in
 *                                   owner or manager's token works too)
 *   Content-Type: application/json
 *   { "externalId": "booking-123", "updatedAt": "2026-12-01T10:00:00Z",
 *     "status": "confirmed", "scheduledAt": "2026-12-05T15:00:00Z",
 *     "phoneNumber": "+14155550123", "name": "Ana", "notes": "...",
 *     "callId": "<uuid>", "agentId": "<uuid>" }          (the last five optional)
 *
 * The booking is keyed by (business, externalId); `updatedAt` is the calendar's
 * own change time: a delivery that is not newer than the stored one changes
 * nothing (repeats and out-of-order deliveries are answered 200 with
 * `applied: false` and the stored state), so a late "scheduled" never undoes a
 * "cancelled". 201 when the booking was new, 200 otherwise. Bad input is a 4xx
 * naming the field and stores nothing (the whole write is one statement).
 *
 * Like GET /exports, the request runs on the GraphQL pool as the caller's
 * database role with its claims (pgSettingsFor): a read-only key or a viewer is
 * refused by PostgreSQL (403), and the SQL only ever touches the caller's rows.
 */
import express, { type Express, type RequestHandler } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { getRequestAuth, requestAuth } from '../auth/request-auth.ts';
import { RequestError } from '../errors.ts';
import { pgSettingsFor } from '../graphql/context.ts';
import { nonBlank, parsePayload } from '../webhooks/validation.ts';

export const CALENDAR_PATH = '/api/calendar/appointments';
const MAX_BODY_BYTES = 16 * 1024;

export interface CalendarDeps {
  /** Connected as app_authenticator (the GraphQL pool). */
  authPool: pg.Pool;
  jwtSecret: string;
  statementTimeoutMs: number;
}

const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date and time with a time zone (e.g. 2026-12-05T15:00:00Z)' });
const uuid = z.uuid({ error: 'expected an id (a UUID)' });

const calendarBody = z.object({
  externalId: nonBlank(200),
  updatedAt: isoTime,
  status: nonBlank(40),
  scheduledAt: isoTime,
  phoneNumber: z.string().max(40).nullish(),
  name: z.string().max(200).nullish(),
  notes: z.string().max(2000).nullish(),
  callId: uuid.nullish(),
  agentId: uuid.nullish(),
});

export type CalendarBody = z.infer<typeof calendarBody>;

interface SyncRow {
  appointment_id: string;
  created: boolean;
  applied: boolean;
  status: string;
  scheduled_at: Date;
  external_updated_at: Date;
}

/** Only JSON (checked before the body is read; a request without a body reports its missing fields). */
const requireJson: RequestHandler = (req, _res, next) => {
  next(req.is(['application/json', '+json']) === false
    ? new RequestError('UNSUPPORTED_MEDIA_TYPE', `Expected Content-Type application/json, got '${req.get('content-type') ?? 'none'}'.`)
    : undefined);
};

function sync(deps: CalendarDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const auth = getRequestAuth(req);
      if (auth.kind === 'anonymous') {
        throw new RequestError('UNAUTHENTICATED', "Send an API key with the write scope: 'Authorization: Bearer sbk_...'.");
      }
      const body = parsePayload(calendarBody, req.body);
      const client = await deps.authPool.connect();
      try {
        await client.query('begin');
        const settings = pgSettingsFor(auth, { statementTimeoutMs: deps.statementTimeoutMs });
        await client.query('select set_config(k, v, true) from jsonb_each_text($1::jsonb) s (k, v)', [JSON.stringify(settings)]);
        const { rows } = await client.query<SyncRow>(
          'select * from app_hidden.sync_calendar_appointment($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [
            body.externalId, body.updatedAt, body.status, body.scheduledAt, body.phoneNumber ?? null,
            body.name ?? null, body.notes ?? null, body.callId ?? null, body.agentId ?? null,
          ],
        );
        await client.query('commit');
        const row = rows[0];
        if (!row) throw new Error('sync_calendar_appointment returned no row');
        res.status(row.created ? 201 : 200).json({
          appointmentId: row.appointment_id,
          created: row.created,
          applied: row.applied,
          status: row.status,
          scheduledAt: row.scheduled_at.toISOString(),
          updatedAt: row.external_updated_at.toISOString(),
        });
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      next(error);
    }
  };
}

export function installCalendar(app: Express, deps: CalendarDeps): void {
  app.post(
    CALENDAR_PATH,
    requestAuth({ jwtSecret: deps.jwtSecret, pool: deps.authPool }),
    requireJson,
    express.json({ limit: MAX_BODY_BYTES, type: () => true }),
    sync(deps),
  );
}
