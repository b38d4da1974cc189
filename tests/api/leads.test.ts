/**
 * Leads (issue 15 item 4), over real HTTP as the tenant's JWT, on the KPI data
 * set (tests/helpers/kpi-dataset.ts) in three time zones, against the oracle
 * (tests/helpers/kpi-oracle.ts: raw calls and analyses, never the rollups):
 *
 * - the overview's hot-lead inbox agrees with the Hot leads card: the range's
 *   and agent's hot leads, unreadNotifications = the unread ones, the list their
 *   10 newest;
 * - leadsPage: totals equal the cards (leads, hot / warm / cold), filters by
 *   temperature / unread / score, cursor paging visits every lead once;
 *   bad filters get coded errors; markLeadsRead marks exactly the filtered set;
 * - the hour x weekday matrix filtered by agent equals the raw recomputation
 *   (dashboardOverview.hourMatrix and kpiHourlyMatrix);
 * - contactOverview: every call, oldest first, with its analysis; null for a
 *   bad id or another tenant's contact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { errorCode, okData } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import {
  addDays, callsIn, figures, hourlyMatrix, hourMatrix, loadSnapshot, normalise, type RawCall, type Snapshot,
} from '../helpers/kpi-oracle.ts';

let api: ApiServer;
let data: KpiDataset;
const snapshots = new Map<string, Snapshot>();

type Data = Record<string, unknown>;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.db.pool);
  // About a third of the leads read, so "unread" selects something.
  await api.db.pool.query(`update app_public.lead_analytics set is_read = true
                            where analysis_type = 'individual' and ('x' || substr(md5(id::text), 1, 2))::bit(8)::int % 3 = 0`);
  for (const tenant of data.tenants) snapshots.set(tenant.userId, await loadSnapshot(api.db.pool, tenant.userId));
});

afterAll(async () => {
  await api?.close();
});

function snapshotOf(t: KpiTenant): Snapshot {
  const snapshot = snapshots.get(t.userId);
  if (!snapshot) throw new Error(`no snapshot for ${t.key}`);
  return snapshot;
}

function tenant(key: string): KpiTenant {
  const found = data.tenants.find((t) => t.key === key);
  if (!found) throw new Error(`no tenant ${key}`);
  return found;
}

async function query(t: KpiTenant, document: string, variables: Record<string, unknown> = {}): Promise<Data> {
  return okData(await api.graphql<Data>(document, variables, api.tokenFor(t.userId)));
}

/** The leads of the oracle (calls with an individual analysis) of a range and agent. */
function leadsOf(snapshot: Snapshot, from: string, to: string, agentId: string | null): Array<RawCall & { lead: NonNullable<RawCall['lead']> }> {
  return callsIn(snapshot, from, to, agentId).filter((c): c is RawCall & { lead: NonNullable<RawCall['lead']> } => c.lead !== null);
}

/** The newest unread hot leads, as the database orders them (started_at desc, id desc): read independently. */
async function newestUnreadHot(t: KpiTenant, from: string, to: string, agentId: string | null): Promise<string[]> {
  const { rows } = await api.db.pool.query<{ id: string }>(
    `select a.id from app_public.calls c join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
      where c.user_id = $1 and (c.started_at at time zone $2)::date between $3::date and $4::date
        and ($5::uuid is null or c.agent_id = $5) and a.lead_status_tag = 'hot' and not a.is_read
      order by c.started_at desc, a.id desc limit 10`,
    [t.userId, t.timezone, from, to, agentId],
  );
  return rows.map((row) => row.id);
}

const OVERVIEW = `query ($from: Date, $to: Date, $agent: UUID) {
  dashboardOverview(fromDate: $from, toDate: $to, agentId: $agent) {
    summary { current { leads hotLeads warmLeads coldLeads } }
    unreadNotifications
    notifications { leadAnalyticId callId agentId leadStatusTag isRead startedAt }
    hourMatrix { calls successfulCalls unansweredCalls failedCalls answerRate leads hotLeads }
  }
  kpiHourlyMatrix(fromDate: $from, toDate: $to, agentId: $agent) {
    isoWeekday hour calls successfulCalls unansweredCalls failedCalls answerRate leads hotLeads
  }
}`;

interface Overview {
  summary: { current: { leads: string; hotLeads: string; warmLeads: string; coldLeads: string } };
  unreadNotifications: string;
  notifications: Array<{ leadAnalyticId: string; callId: string; agentId: string; leadStatusTag: string; isRead: boolean; startedAt: string }>;
  hourMatrix: Data;
}

const PAGE = `query ($from: Date, $to: Date, $agent: UUID, $temperature: String, $unread: Boolean, $min: Int, $max: Int, $after: String, $first: Int) {
  leadsPage(fromDate: $from, toDate: $to, agentId: $agent, temperature: $temperature, unreadOnly: $unread,
            minScore: $min, maxScore: $max, after: $after, first: $first) {
    totalCount unreadCount endCursor hasNextPage
    items { leadAnalyticId callId agentId leadStatusTag totalScore isRead startedAt }
  }
}`;

interface LeadPage {
  totalCount: string;
  unreadCount: string;
  endCursor: string | null;
  hasNextPage: boolean;
  items: Array<{ leadAnalyticId: string; callId: string; agentId: string; leadStatusTag: string | null; totalScore: number | null; isRead: boolean; startedAt: string }>;
}

async function page(t: KpiTenant, variables: Record<string, unknown>): Promise<LeadPage> {
  return (await query(t, PAGE, variables)).leadsPage as LeadPage;
}

/** Every page of a filter, following the cursor. */
async function allPages(t: KpiTenant, variables: Record<string, unknown>, first: number): Promise<{ pages: LeadPage[]; ids: string[] }> {
  const pages: LeadPage[] = [];
  let after: string | null = null;
  for (;;) {
    const current = await page(t, { ...variables, first, after });
    pages.push(current);
    if (!current.hasNextPage) break;
    expect(current.endCursor).not.toBeNull();
    after = current.endCursor;
  }
  return { pages, ids: pages.flatMap((p) => p.items.map((item) => item.leadAnalyticId)) };
}

async function localToday(t: KpiTenant): Promise<string> {
  const { rows } = await api.db.pool.query<{ today: string }>(`select (now() at time zone $1)::date::text as today`, [t.timezone]);
  return rows[0]?.today ?? '';
}

describe.each(['kolkata', 'newyork', 'utc'])('tenant %s', (key) => {
  it('the inbox agrees with the cards: all agents and each agent, default range', async () => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const to = await localToday(t);
    const from = addDays(to, -29);
    for (const agentId of [null, ...t.agents.map((a) => a.id)]) {
      const label = `${key} ${agentId ?? 'all agents'}`;
      const answer = await query(t, OVERVIEW, { agent: agentId });
      const overview = answer.dashboardOverview as Overview;
      const leads = leadsOf(snapshot, from, to, agentId);
      const hot = leads.filter((c) => c.lead.tag === 'hot');
      // the card is the oracle's figure, and the inbox counts the same hot leads
      expect(overview.summary.current.hotLeads, label).toBe(figures(snapshot, from, to, agentId).hotLeads);
      expect(overview.summary.current.hotLeads, label).toBe(String(hot.length));
      expect(overview.unreadNotifications, label).toBe(String(hot.filter((c) => !c.lead.read).length));
      expect(overview.notifications.map((n) => n.leadAnalyticId), label).toEqual(await newestUnreadHot(t, from, to, agentId));
      for (const n of overview.notifications) {
        expect(n.leadStatusTag).toBe('hot');
        expect(n.isRead).toBe(false);
        if (agentId) expect(n.agentId).toBe(agentId);
      }
      // the agent filter applies to the heatmap: equal to the raw recomputation
      expect(normalise(overview.hourMatrix), `${label}: hourMatrix`).toEqual(normalise(hourMatrix(snapshot, { fromDate: from, toDate: to }, agentId)));
      expect(normalise(answer.kpiHourlyMatrix), `${label}: kpiHourlyMatrix`).toEqual(normalise(hourlyMatrix(snapshot, { fromDate: from, toDate: to }, agentId)));
    }
  });

  it('leadsPage totals equal the cards for every temperature; paging visits every lead once, newest first', async () => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const to = await localToday(t);
    const from = addDays(to, -44);
    const agentId = t.agents[0]?.id ?? null;
    const card = figures(snapshot, from, to, null);
    const leads = leadsOf(snapshot, from, to, null);
    expect((await page(t, { from, to })).totalCount).toBe(card.leads);
    expect((await page(t, { from, to, temperature: 'hot' })).totalCount).toBe(card.hotLeads);
    expect((await page(t, { from, to, temperature: 'warm' })).totalCount).toBe(card.warmLeads);
    expect((await page(t, { from, to, temperature: 'cold' })).totalCount).toBe(card.coldLeads);
    expect((await page(t, { from, to, temperature: 'untagged' })).totalCount).toBe(String(leads.filter((c) => c.lead.tag === null).length));

    const { pages, ids } = await allPages(t, { from, to, agent: agentId }, 7);
    const expected = leadsOf(snapshot, from, to, agentId);
    expect(ids).toHaveLength(expected.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected.map((c) => c.lead.id).sort());
    expect(pages.every((p) => p.totalCount === String(expected.length))).toBe(true);
    const starts = pages.flatMap((p) => p.items.map((item) => Date.parse(item.startedAt)));
    expect(starts).toEqual([...starts].sort((x, y) => y - x));
  });

  it('leadsPage filters by unread and by score range (all history)', async () => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const all = snapshot.calls.filter((c) => c.lead !== null);
    const unread = await allPages(t, { unread: true }, 100);
    expect([...unread.ids].sort()).toEqual(all.filter((c) => !c.lead?.read).map((c) => c.lead?.id).sort());
    const scored = await allPages(t, { min: 40, max: 69, temperature: 'warm' }, 100);
    const expected = all.filter((c) => c.lead && c.lead.tag === 'warm' && c.lead.totalScore !== null && c.lead.totalScore >= 40 && c.lead.totalScore <= 69);
    expect([...scored.ids].sort()).toEqual(expected.map((c) => c.lead?.id).sort());
    expect(scored.pages[0]?.unreadCount).toBe(String(expected.filter((c) => !c.lead?.read).length));
  });
});

describe('bad input gets coded errors', () => {
  it.each([
    ['an unknown temperature', { temperature: 'boiling' }, 'INVALID_LEAD_FILTER'],
    ['a score above 100', { max: 101 }, 'INVALID_LEAD_FILTER'],
    ['an inverted score range', { min: 80, max: 20 }, 'INVALID_LEAD_FILTER'],
    ['a page of 0', { first: 0 }, 'INVALID_LEAD_FILTER'],
    ['a page over 100', { first: 101 }, 'INVALID_LEAD_FILTER'],
    ['a forged cursor', { after: 'not-a-cursor' }, 'INVALID_LEAD_FILTER'],
    ['an inverted date range', { from: '2026-03-02', to: '2026-03-01' }, 'INVALID_DATE_RANGE'],
  ])('%s', async (_label, variables, code) => {
    const result = await api.graphql(PAGE, variables, api.tokenFor(tenant('utc').userId));
    expect(errorCode(result)).toBe(code);
  });
});

describe('contactOverview', () => {
  const CONTACT = `query ($id: UUID!) { contactOverview(contactId: $id) {
    contactId phoneNumber calls { callId startedAt totalScore leadAnalyticId } followUps { followUpId followUpDate remark }
  } }`;

  it('every call of the contact, oldest first, with its analysis; follow-ups', async () => {
    const t = tenant('kolkata');
    const { rows } = await api.db.pool.query<{ id: string; phone: string; calls: string[] }>(
      `select ct.id, ct.phone_number as phone, array(select c.id::text from app_public.calls c
                 where c.user_id = ct.user_id and c.phone_number = ct.phone_number order by c.started_at, c.id) as calls
         from app_public.contacts ct where ct.user_id = $1
        order by (select count(*) from app_public.calls c where c.user_id = ct.user_id and c.phone_number = ct.phone_number) desc, ct.id limit 1`,
      [t.userId],
    );
    const contact = rows[0];
    if (!contact) throw new Error('no contact');
    expect(contact.calls.length).toBeGreaterThan(1);
    const created = await query(t, `mutation ($c: UUID, $p: String!) { createFollowUp(input: { followUp: { contactId: $c, leadPhone: $p, followUpDate: "2030-01-02", remark: "Send pricing" } }) { followUp { rowId } } }`,
      { c: contact.id, p: contact.phone });
    const followUpId = ((created.createFollowUp as Data).followUp as { rowId: string }).rowId;
    const answer = (await query(t, CONTACT, { id: contact.id })).contactOverview as {
      contactId: string; phoneNumber: string; calls: Array<{ callId: string }>; followUps: Array<{ followUpId: string; remark: string }>;
    };
    expect(answer.contactId).toBe(contact.id);
    expect(answer.calls.map((c) => c.callId)).toEqual(contact.calls);
    expect(answer.followUps).toEqual([{ followUpId, followUpDate: '2030-01-02', remark: 'Send pricing' }]);
    // another tenant sees nothing; an unknown id is null too
    expect((await query(tenant('utc'), CONTACT, { id: contact.id })).contactOverview).toBeNull();
    expect((await query(t, CONTACT, { id: '0190a4a0-0000-7000-8000-00000000beef' })).contactOverview).toBeNull();
  });
});

describe('markLeadsRead', () => {
  it('marks exactly the filtered unread leads read; the inbox then shows none of them', async () => {
    const t = tenant('newyork');
    const to = await localToday(t);
    const from = addDays(to, -29);
    const before = await page(t, { from, to, temperature: 'hot', unread: true });
    const otherBefore = await page(t, { temperature: 'warm', unread: true });
    expect(Number(before.totalCount)).toBeGreaterThan(0);
    const done = await query(t, `mutation ($from: Date, $to: Date) { markLeadsRead(input: { fromDate: $from, toDate: $to, temperature: "hot" }) { result } }`, { from, to });
    expect((done.markLeadsRead as { result: number }).result).toBe(Number(before.totalCount));
    expect((await page(t, { from, to, temperature: 'hot', unread: true })).totalCount).toBe('0');
    expect((await page(t, { temperature: 'warm', unread: true })).totalCount).toBe(otherBefore.totalCount);
    const overview = (await query(t, OVERVIEW, {})).dashboardOverview as Overview;
    expect(overview.unreadNotifications).toBe('0');
    expect(overview.notifications).toEqual([]);
  });
});
