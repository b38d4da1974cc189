/**
 * GET /exports/calls.csv?filter=<JSON>: the WHOLE filtered call log as CSV,
 * streamed. `filter` holds the GraphQL `callLog` variables (same names: from,
 * to, agent, outcomes, ..., sort, descending; no paging), so a page on screen
 * and its export are one filter.
 *
 * Authorised like GraphQL (the dashboard's JWT or an API key, the same role and
 * claims, read-only), so RLS scopes the rows exactly as it does the API. The
 * filter is checked first by the SQL (`app_hidden.call_log_params`: coded errors
 * before any byte is sent), then one `COPY (select ... from
 * app_hidden.call_log_export(...)) TO STDOUT` streams the rows in the page's
 * order with backpressure: memory stays flat whatever the number of rows.
 * Values are PostgreSQL's text for the same columns the API returns.
 */
import { pipeline } from 'node:stream/promises';
import type { Express, RequestHandler } from 'express';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import { getRequestAuth, requestAuth } from '../auth/request-auth.ts';
import { RequestError } from '../errors.ts';
import { pgSettingsFor } from '../graphql/context.ts';

export const CALL_LOG_EXPORT_PATH = '/exports/calls.csv';

export interface CallLogExportDeps {
  /** Connected as app_authenticator (the GraphQL pool). */
  authPool: pg.Pool;
  jwtSecret: string;
  /** Longer than GraphQL's: an export of a large history runs for a while. */
  statementTimeoutMs: number;
}

const values = z.array(z.string().max(40)).max(20).nullish();
const integer = z.number().int().min(-1_000_000).max(1_000_000).nullish();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish();

/** The call log's filter (GraphQL variable names); unknown keys are refused. */
const FilterSchema = z.strictObject({
  from: day,
  to: day,
  agent: z.uuid().nullish(),
  outcomes: values,
  statuses: values,
  providers: values,
  directions: values,
  sources: values,
  temperatures: values,
  minScore: integer,
  maxScore: integer,
  minDuration: integer,
  maxDuration: integer,
  hasTranscript: z.boolean().nullish(),
  hasAnalysis: z.boolean().nullish(),
  hasRecording: z.boolean().nullish(),
  search: z.string().max(1000).nullish(),
  figure: z.string().max(60).nullish(),
  isoWeekday: integer,
  hour: integer,
  sort: z.string().max(40).nullish(),
  descending: z.boolean().nullish(),
});
export type CallLogExportFilter = z.infer<typeof FilterSchema>;

/** The SQL arguments, in app_hidden.call_log_export's order. */
function args(f: CallLogExportFilter): Array<[unknown, string]> {
  return [
    [f.from, 'date'], [f.to, 'date'], [f.agent, 'uuid'], [f.outcomes, 'text[]'], [f.statuses, 'text[]'], [f.providers, 'text[]'],
    [f.directions, 'text[]'], [f.sources, 'text[]'], [f.temperatures, 'text[]'], [f.minScore, 'integer'], [f.maxScore, 'integer'],
    [f.minDuration, 'integer'], [f.maxDuration, 'integer'], [f.hasTranscript, 'boolean'], [f.hasAnalysis, 'boolean'],
    [f.hasRecording, 'boolean'], [f.search, 'text'], [f.figure, 'text'], [f.isoWeekday, 'integer'], [f.hour, 'integer'],
    [f.sort ?? 'started_at', 'text'], [f.descending ?? true, 'boolean'],
  ];
}

/** A value as an SQL literal of its type (COPY takes no bind parameters). */
function literal(client: pg.PoolClient, value: unknown, type: string): string {
  if (value === null || value === undefined) return `null::${type}`;
  if (Array.isArray(value)) return `array[${value.map((v) => client.escapeLiteral(String(v))).join(', ')}]::${type}`;
  return `${client.escapeLiteral(String(value))}::${type}`;
}

const COLUMNS = [
  'call_id as "callId"', 'started_at as "startedAt"', 'agent_id as "agentId"', 'agent_name as "agentName"',
  'contact_id as "contactId"', 'phone_number as "phoneNumber"', 'caller_name as "callerName"', 'contact_name as "contactName"',
  'provider', 'direction', 'call_source as "callSource"', 'status', 'outcome', 'duration_seconds as "durationSeconds"',
  'credits_used as "creditsUsed"', 'has_transcript as "hasTranscript"', 'has_analysis as "hasAnalysis"',
  'has_recording as "hasRecording"', 'total_score as "totalScore"', 'lead_status_tag as "leadStatusTag"',
].join(', ');

function parseFilter(raw: unknown): CallLogExportFilter {
  let json: unknown = {};
  if (typeof raw === 'string' && raw !== '') {
    try {
      json = JSON.parse(raw);
    } catch {
      throw new RequestError('INVALID_FILTER', 'The filter is not valid JSON.');
    }
  } else if (raw !== undefined) {
    throw new RequestError('INVALID_FILTER', 'Give the filter once, as JSON.');
  }
  const parsed = FilterSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RequestError('INVALID_FILTER', `The filter's ${issue?.path.join('.') || 'value'} is not valid: ${issue?.message ?? 'unknown problem'}.`);
  }
  return parsed.data;
}

function download(deps: CallLogExportDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const auth = getRequestAuth(req);
      if (auth.kind === 'anonymous') throw new RequestError('UNAUTHENTICATED', 'Sign in to export calls.');
      const filter = parseFilter(req.query.filter);
      const client = await deps.authPool.connect();
      let finished = false;
      let copying = false;
      try {
        await client.query('begin isolation level repeatable read read only');
        const settings = { ...pgSettingsFor(auth, { statementTimeoutMs: deps.statementTimeoutMs }), transaction_read_only: 'on' };
        await client.query('select set_config(k, v, true) from jsonb_each_text($1::jsonb) s (k, v)', [JSON.stringify(settings)]);
        const list = args(filter);
        // The checks first (coded errors while we can still answer with one) ...
        const checked = await client.query<{ from_date: string; to_date: string }>(
          `select to_char(p.p_from, 'YYYY-MM-DD') as from_date, to_char(p.p_to, 'YYYY-MM-DD') as to_date
             from app_hidden.call_log_params($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) p`,
          [filter.from, filter.to, filter.outcomes, filter.statuses, filter.providers, filter.directions, filter.sources,
            filter.temperatures, filter.minScore, filter.maxScore, filter.minDuration, filter.maxDuration, filter.search,
            filter.figure, filter.isoWeekday, filter.hour, filter.sort ?? 'started_at', null],
        );
        const range = checked.rows[0];
        // ... then the rows, streamed.
        const sql = `copy (select ${COLUMNS} from app_hidden.call_log_export(${list.map(([v, t]) => literal(client, v, t)).join(', ')}))
                     to stdout with (format csv, header)`;
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="calls-${range?.from_date ?? ''}-${range?.to_date ?? ''}.csv"`);
        res.setHeader('Cache-Control', 'private, no-store');
        copying = true;
        await pipeline(client.query(copyTo(sql)), res);
        await client.query('commit');
        finished = true;
      } finally {
        // a COPY cut short (the client went away) leaves the connection mid-protocol: drop it (its transaction rolls back)
        if (!finished && !copying) await client.query('rollback').catch(() => {});
        client.release(!finished && copying);
      }
    } catch (error) {
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      next(error);
    }
  };
}

export function installCallLogExport(app: Express, deps: CallLogExportDeps): void {
  app.get(CALL_LOG_EXPORT_PATH, requestAuth({ jwtSecret: deps.jwtSecret, pool: deps.authPool }), download(deps));
}
