/**
 * The call page (/calls/:id) in Chromium on the real server: calls posted to
 * the Bolna webhook show their timeline in the business's time zone, outcome
 * and hang-up, the recording player, the transcript as speaker turns, the
 * analysis with every score and its reasoning, the contact's other calls and
 * the deliveries (a refused one with its code); a failed analysis shows its
 * reason and its retry queues one job. Malformed, unknown and foreign ids on
 * /calls/:id, /agents/:id and /contacts/:id show "not found" with a way back.
 * Screenshots at 1440 and 390 px go to test-artifacts/dashboard/.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { bolnaSequence, callRow, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

interface BoxElement {
  tagName: string;
  className: unknown;
  getBoundingClientRect(): { right: number };
  closest(selector: string): unknown;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<BoxElement>;
  documentElement: { clientWidth: number };
};

const PASSWORD = 'call-page-password';
const WAIT_MS = 20_000;
const TIME_ZONE = 'America/New_York';
const CALLER = '+14155550177';

let api: WebhookApp;
let a: IngestTenant;
let b: IngestTenant;
let browser: ChromiumSession;
let page: Page;
let answered: string;
let earlier: string;
let failed: string;
let foreignCall: string;
let events: Array<Record<string, unknown>>;

async function deliver(tenant: IngestTenant, sequence: Array<Record<string, unknown>>): Promise<string> {
  for (const event of sequence) {
    const response = await api.postBolna(tenant.bolnaToken, event);
    if (response.status !== 200) throw new Error(`delivery refused: ${JSON.stringify(response.body)}`);
  }
  const row = await callRow(api.pool, 'bolna', String(sequence[0]?.id), tenant.userId);
  if (!row) throw new Error('no call');
  return String(row.id);
}

beforeAll(async () => {
  requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, compactEveryMs: 250, env: { RATE_LIMIT_BURST: '5000' } });
  a = await seedIngestTenant(api.pool);
  b = await seedIngestTenant(api.pool);
  await api.pool.query(`update app_public.users set timezone = $2, name = 'Acme Solar' where id = $1`, [a.userId, TIME_ZONE]);
  await api.pool.query(`update app_public.agents set name = 'Maya' where id = $1`, [a.agentId]);
  await api.pool.query(
    `insert into app_private.member_secrets (member_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))
     on conflict (member_id) do update set password_hash = excluded.password_hash`,
    [a.userId, PASSWORD],
  );
  earlier = await deliver(a, bolnaSequence({ agentId: a.bolnaAgentId, toNumber: CALLER, createdAt: new Date(Date.UTC(2026, 10, 18, 15, 0, 0)) }));
  events = bolnaSequence({ agentId: a.bolnaAgentId, toNumber: CALLER, createdAt: new Date(Date.UTC(2026, 10, 20, 14, 30, 0)) });
  answered = await deliver(a, events);
  // a delivery the database refused (unknown status), kept with its code
  await api.postBolna(a.bolnaToken, { ...events[1], status: 'warp-speed', updated_at: '2026-11-20T14:30:03.000Z' });
  await api.pool.query(
    `insert into app_public.lead_analytics (user_id, analysis_type, call_id, phone_number, intent_level, intent_score, urgency_level, urgency_score,
       budget_constraint, budget_score, fit_alignment, fit_score, engagement_health, engagement_score, total_score, lead_status_tag, reasoning,
       cta_pricing_clicked, smart_notification, model)
     values ($1, 'individual', $2, $3, 'high', 82, 'medium', 55, 'flexible', 60, 'strong', 75, 'engaged', 80, 71, 'hot',
       $4, true, 'Dana wants pricing before Thursday''s survey', 'gpt-4o-mini')`,
    [
      a.userId,
      answered,
      CALLER,
      JSON.stringify({
        intent: 'Asked to book a site survey for Thursday.',
        urgency: 'Wants it this week but no hard deadline.',
        budget: 'Asked for pricing first; no budget stated.',
        fit: 'Owns a house and is looking at panels.',
        engagement: 'Answered every question and proposed a day.',
        summary: 'Send the pricing today and confirm Thursday.',
      }),
    ],
  );
  await api.pool.query(`update app_public.transcripts set analysis_status = 'completed', analyzed_at = now() where call_id = $1`, [answered]);
  failed = await deliver(a, bolnaSequence({ agentId: a.bolnaAgentId, createdAt: new Date(Date.UTC(2026, 10, 21, 16, 0, 0)) }));
  await api.pool.query('update graphile_worker._private_jobs set attempts = max_attempts, last_error = $2 where key = $1', [`calls__analyze:${failed}`, 'timeout']);
  await api.pool.query('select app_hidden.mark_analysis_failed($1, $2)', [failed, 'The analyzer timed out after 30 s']);
  foreignCall = await deliver(b, bolnaSequence({ agentId: b.bolnaAgentId }));

  browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  page = await browser.context.newPage();
  const { rows } = await api.pool.query<{ email: string }>('select email::text as email from app_public.users where id = $1', [a.userId]);
  await page.goto(`${api.url}/`);
  await page.getByLabel('Email').fill(rows[0]?.email ?? '');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"]', { timeout: WAIT_MS });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function open(pathname: string): Promise<void> {
  await page.goto(`${api.url}${pathname}`);
}

/** "Nov 20, 9:30:02 AM" as the page writes an instant in the business's zone. */
function clock(iso: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
}

describe('the call page', () => {
  it('shows the timeline in the business\'s time zone, the outcome with the hang-up, and the recording player', async () => {
    await open(`/calls/${answered}`);
    await page.waitForSelector('[data-testid="call-timeline"]', { timeout: WAIT_MS });
    const steps = await page.$$eval('[data-testid="call-timeline"] li', (lis) =>
      lis.map((li) => [li.getAttribute('data-step'), li.querySelector('.timeline-time')?.textContent ?? '']),
    );
    const at = (status: string): string => clock(String(events.find((e) => e.status === status)?.updated_at));
    expect(steps).toEqual([
      ['queued', at('queued')],
      ['dialled', at('ringing')], // Bolna: the call starts when it is dialled (the first post-queue event)
      ['ringing', at('ringing')],
      ['answered', at('in-progress')],
      ['disconnected', at('call-disconnected')],
      ['ended', at('completed')],
    ]);
    expect(at('queued')).toContain('9:30:00 AM'); // 14:30 UTC in New York
    const hangup = await page.getByTestId('hangup').textContent();
    expect(hangup).toContain('Callee — Call recipient hungup');
    expect(hangup).toContain('code 4000');
    expect(await page.getByTestId('call-outcome').textContent()).toContain('Successful');
    const src = await page.getByTestId('recording-player').getAttribute('src');
    expect(src).toBe(`https://recordings.example.com/${String(events[0]?.id)}.mp3`);
    expect(await page.$eval('[data-testid="recording-player"]', (el) => el.tagName)).toBe('AUDIO');
  });

  it('shows the transcript as speaker turns and the analysis with every score and its reasoning', async () => {
    const turns = await page.$$eval('[data-testid="transcript-turns"] li', (lis) =>
      lis.map((li) => [li.getAttribute('data-speaker'), li.querySelector('.turn-who')?.textContent ?? '', li.querySelector('.turn-text')?.textContent ?? '']),
    );
    expect(turns).toEqual([
      ['agent', 'Maya', 'Hi, this is Maya from Acme Solar. Is this a good time?'],
      ['user', 'Caller', 'Sure, I was looking at panels for my house.'],
      ['agent', 'Maya', 'Great! Could I book a site survey for Thursday?'],
      ['user', 'Caller', 'Thursday works, send me the pricing first please.'],
    ]);
    expect(await page.getByTestId('total-score').textContent()).toBe('71');
    const scores = await page.$$eval('[data-testid="analysis"] tr[data-score]', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-score'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')]),
    );
    expect(scores).toEqual([
      ['intent', 'High', '82', 'Asked to book a site survey for Thursday.'],
      ['urgency', 'Medium', '55', 'Wants it this week but no hard deadline.'],
      ['budget', 'Flexible', '60', 'Asked for pricing first; no budget stated.'],
      ['fit', 'Strong', '75', 'Owns a house and is looking at panels.'],
      ['engagement', 'Engaged', '80', 'Answered every question and proposed a day.'],
    ]);
    const analysis = await page.getByTestId('analysis').textContent();
    expect(analysis).toContain('Send the pricing today and confirm Thursday.');
    expect(analysis).toContain('asked for pricing');
  });

  it('lists the contact\'s other calls (links) and every delivery, the refused one with its code', async () => {
    const others = await page.$$eval('[data-testid="other-calls"] a', (links) => links.map((link) => link.getAttribute('href')));
    expect(others).toEqual([`/calls/${earlier}`]);
    const deliveries = await page.$$eval('[data-testid="deliveries"] tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-status'), tr.querySelectorAll('td')[2]?.textContent ?? '', tr.querySelectorAll('td')[5]?.textContent ?? '']),
    );
    expect(deliveries.map(([status, sent]) => [status, sent])).toEqual([
      ['processed', 'queued'],
      ['processed', 'ringing'],
      ['processed', 'in-progress'],
      ['processed', 'call-disconnected'],
      ['processed', 'completed'],
      ['failed', 'warp-speed'],
    ]);
    expect(deliveries[5]?.[2]).toContain('SB107');
    await screenshot(page, 'dashboard/call-page');
    // the other call opens in place
    await page.locator('[data-testid="other-calls"] a').first().click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: WAIT_MS }).toBe(`/calls/${earlier}`);
    await page.waitForSelector('[data-testid="call-timeline"]', { timeout: WAIT_MS });
  });

  it('shows why an analysis failed; the retry queues exactly one job and the page says it is queued', async () => {
    await open(`/calls/${failed}`);
    const alert = page.getByTestId('analysis-failed');
    await alert.waitFor({ timeout: WAIT_MS });
    expect(await alert.textContent()).toContain('Reason: The analyzer timed out after 30 s');
    await page.getByRole('button', { name: 'Retry the analysis' }).click();
    await expect.poll(() => page.getByTestId('analysis-state').textContent().catch(() => null), { timeout: WAIT_MS }).toBe('The analysis is queued.');
    const { rows } = await api.pool.query<{ attempts: number }>('select attempts from graphile_worker.jobs where key = $1', [`calls__analyze:${failed}`]);
    expect(rows).toEqual([{ attempts: 0 }]);
  });

  it('reads well on a phone (390 px): nothing wider than the screen outside scroll boxes', async () => {
    await open(`/calls/${answered}`);
    await page.waitForSelector('[data-testid="transcript-turns"]', { timeout: WAIT_MS });
    await page.setViewportSize({ width: 390, height: 844 });
    const wider = async (): Promise<string[]> =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll'))
          .slice(0, 5)
          .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
      });
    await expect.poll(wider, { timeout: WAIT_MS }).toEqual([]);
    await screenshot(page, 'dashboard/call-page-phone');
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard/call-page-phone-top.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});

describe('an id in the URL that leads nowhere', () => {
  const cases: Array<[string, () => string, string, string]> = [
    ['a malformed call id', () => '/calls/not-a-call', 'Call not found', '/calls'],
    ['an unknown call id', () => `/calls/${randomUUID()}`, 'Call not found', '/calls'],
    ['another business\'s call', () => `/calls/${foreignCall}`, 'Call not found', '/calls'],
    ['a malformed agent id', () => '/agents/12', 'Agent not found', '/'],
    ['an unknown agent id', () => `/agents/${randomUUID()}`, 'Agent not found', '/'],
    ['another business\'s agent', () => `/agents/${b.agentId}`, 'Agent not found', '/'],
    ['a malformed contact id', () => '/contacts/%20drop', 'Contact not found', '/leads'],
  ];
  for (const [name, url, title, back] of cases) {
    it(`${name} shows "not found" with a way back, never an API error`, async () => {
      await open(url());
      const heading = page.locator('[data-page="not-found"] h1');
      await heading.waitFor({ timeout: WAIT_MS });
      expect(await heading.textContent()).toBe(title);
      expect(await page.locator('[data-page="not-found"] a').getAttribute('href')).toBe(back);
      expect(await page.locator('[data-state="error"]').count()).toBe(0);
      expect(await page.locator('body').textContent()).not.toMatch(/uuid|GraphQL|invalid input/i);
    });
  }

  it('a malformed id the page sends anyway gets the API\'s INVALID_ID, mapped to "not found"', async () => {
    // the route refuses it without a request; the API refuses it with a code the pages map (isNotFoundError)
    const body = await api.graphql(`{ agentOverview(agentId: "12") { agent { rowId } } }`, {}, api.tokenFor(a.userId));
    expect(body.errors?.[0]?.extensions?.code).toBe('INVALID_ID');
    await screenshot(page, 'dashboard/not-found');
  });
});
