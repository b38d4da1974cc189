/**
 * GET /exports/calls.csv: the whole filtered call log as CSV, streamed, with the
 * API's values (every row of every page of GraphQL `callLog` for the same filter,
 * in the same order, column by column), scoped by RLS (another business's agent
 * gives a header only), refused signed out and for a bad filter (coded errors,
 * no CSV).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';

let api: ApiServer;
let data: KpiDataset;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.db.pool);
});

afterAll(async () => {
  await api?.close();
});

const FIELDS = ['callId', 'startedAt', 'agentId', 'agentName', 'contactId', 'phoneNumber', 'callerName', 'contactName', 'provider',
  'direction', 'callSource', 'status', 'outcome', 'durationSeconds', 'creditsUsed', 'hasTranscript', 'hasAnalysis', 'hasRecording',
  'totalScore', 'leadStatusTag'] as const;

const QUERY = `query Log($from: Date, $to: Date, $agent: UUID, $outcomes: [String], $minDuration: Int, $sort: String, $descending: Boolean, $after: String) {
  callLog(fromDate: $from, toDate: $to, agentId: $agent, outcomes: $outcomes, minDuration: $minDuration, sort: $sort, descending: $descending, after: $after, pageSize: 500) {
    nextCursor rows { ${FIELDS.join(' ')} }
  }
}`;

type Row = Record<(typeof FIELDS)[number], string | number | boolean | null>;

async function apiRows(tenant: KpiTenant, filter: Record<string, unknown>): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  do {
    const page: { callLog: { nextCursor: string | null; rows: Row[] } } = okData(
      await api.graphql<{ callLog: { nextCursor: string | null; rows: Row[] } }>(QUERY, { ...filter, after }, api.tokenFor(tenant.userId)),
    );
    rows.push(...page.callLog.rows);
    after = page.callLog.nextCursor;
  } while (after);
  return rows;
}

/** A minimal RFC 4180 parser (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') { quoted = true; wasQuoted = true; }
    else if (ch === ',') { row.push(field); field = ''; wasQuoted = false; }
    else if (ch === '\n') { row.push(field); out.push(row); row = []; field = ''; wasQuoted = false; }
    else field += ch;
  }
  if (field !== '' || wasQuoted || row.length) { row.push(field); out.push(row); }
  return out;
}

async function csv(tenant: KpiTenant | null, filter: unknown): Promise<Response> {
  const url = `${api.url}/exports/calls.csv?filter=${encodeURIComponent(typeof filter === 'string' ? filter : JSON.stringify(filter))}`;
  return fetch(url, { headers: tenant ? { authorization: `Bearer ${api.tokenFor(tenant.userId)}` } : {} });
}

/** The API's value as the CSV writes it (PostgreSQL text: t/f booleans, timestamps as the server prints them). */
function asCsv(field: string, value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (field === 'startedAt') return new Date(String(value)).toISOString();
  return String(value);
}

describe('call log CSV export', () => {
  const filters: Array<Record<string, unknown>> = [
    { from: '2020-01-01', to: '2028-12-31' },
    { from: '2020-01-01', to: '2028-12-31', outcomes: ['successful'], minDuration: 30, sort: 'duration', descending: false },
  ];
  for (const filter of filters) {
    it(`streams every row of the filter with the API's values (${JSON.stringify(filter)})`, async () => {
      const tenant = data.tenants[0]!;
      const response = await csv(tenant, filter);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="calls-2020-01-01-2028-12-31\.csv"/);
      const [header, ...lines] = parseCsv(await response.text());
      expect(header).toEqual([...FIELDS]);
      const expected = await apiRows(tenant, filter);
      expect(lines.length).toBe(expected.length);
      expect(lines.length).toBeGreaterThan(10);
      lines.forEach((line, i) => {
        const row = expected[i]!;
        const got = Object.fromEntries(FIELDS.map((f, j) => [f, f === 'startedAt' ? new Date(line[j]!).toISOString() : line[j]]));
        expect(got).toEqual(Object.fromEntries(FIELDS.map((f) => [f, asCsv(f, row[f])])));
      });
    });
  }

  it('is scoped by RLS: another business\'s agent gives the header only', async () => {
    const [a, b] = data.tenants;
    const response = await csv(a!, { from: '2020-01-01', to: '2028-12-31', agent: b!.agents[0]!.id });
    expect(response.status).toBe(200);
    expect(parseCsv(await response.text())).toHaveLength(1);
  });

  it('refuses signed-out requests and bad filters with coded errors, no CSV', async () => {
    const tenant = data.tenants[0]!;
    const cases: Array<[KpiTenant | null, unknown, number, string]> = [
      [null, {}, 401, 'unauthenticated'],
      [tenant, '{not json', 400, 'invalid_filter'],
      [tenant, { colour: 'red' }, 400, 'invalid_filter'],
      [tenant, { outcomes: ['great'] }, 400, 'invalid_filter_value'],
      [tenant, { minScore: 90, maxScore: 10 }, 400, 'invalid_filter_range'],
      [tenant, { search: 'x'.repeat(101) }, 400, 'search_too_long'],
      [tenant, { from: '2026-02-01', to: '2026-01-01' }, 400, 'invalid_date_range'],
    ];
    for (const [who, filter, status, code] of cases) {
      const response = await csv(who, filter);
      expect(response.status, JSON.stringify(filter)).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/json/);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).toBe(code);
      expect(body.message).not.toMatch(/app_hidden|select/i);
    }
  });
});
