/**
 * Appointments in a real browser (issue 17 item 4): the real app, headless Chromium. The appointments page
 * lists booked-by-call and API appointments with a status filter in the URL; a manager confirms, marks a
 * no-show and reschedules (the database changes), a viewer sees no write controls; the insights page's
 * booking funnel shows the SQL's counts and rates. Screenshots at 1440 and 390 px go to test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { createAgent, createAnalysis, createCall, createTenant, type TenantRow } from '../helpers/fixtures.ts';
import { startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

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

const PASSWORD = 'appointments-browser-password';
const WAIT_MS = 20_000;

let api: WebhookApp;
let tenant: TenantRow;
let viewerEmail: string;
let browser: ChromiumSession;
let page: Page;
const appointmentIds: string[] = [];

async function widerThanScreen(): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll, .heatmap-scroll'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
  });
}

async function bothWidths(name: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshot(page, `dashboard/${name}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(widerThanScreen, { timeout: WAIT_MS }).toEqual([]);
  await screenshot(page, `dashboard/${name}-phone`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function signIn(email: string): Promise<void> {
  await browser.context.clearCookies();
  await page.goto(`${api.url}/`);
  await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
  await page.goto(`${api.url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"], [data-page]', { timeout: WAIT_MS });
}

async function statusOf(id: string): Promise<{ status: string; scheduled_at: Date }> {
  const { rows } = await api.pool.query<{ status: string; scheduled_at: Date }>('select status, scheduled_at from app_public.appointments where id = $1', [id]);
  const row = rows[0];
  if (!row) throw new Error(`no appointment ${id}`);
  return row;
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '5000' } });
  tenant = await createTenant(api.pool, { timezone: 'Europe/Berlin', name: 'Booking Clinic' });
  const agents = [(await createAgent(api.pool, tenant.id, { name: 'Front desk' })).id, (await createAgent(api.pool, tenant.id, { name: 'Night line' })).id];
  const { rows: today } = await api.pool.query<{ noon: Date }>(`select (app_hidden.tenant_today('Europe/Berlin') + time '12:00') at time zone 'Europe/Berlin' as noon`);
  const noon = today[0]?.noon ?? new Date();
  const hour = 3_600_000;
  const day = 24 * hour;
  const people = ['Ana Silva', 'Ben Okafor', 'Chen Wei', 'Dara Novak', 'Eli Cohen', 'Fatima Khan'];
  for (const [i, name] of people.entries()) {
    const call = await createCall(api.pool, {
      userId: tenant.id, agentId: agents[i % 2] ?? '', durationSeconds: 120 + i * 10, phoneNumber: `+4930555000${i}`, callerName: name,
      startedAt: new Date(noon.getTime() - (i + 1) * day),
    });
    await createAnalysis(api.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: new Date(noon.getTime() + (i - 2) * day + 2 * hour).toISOString() });
  }
  // Unbooked connected calls, for a booking rate below 100 %.
  for (let i = 0; i < 4; i += 1) {
    await createCall(api.pool, { userId: tenant.id, agentId: agents[0] ?? '', durationSeconds: 60, startedAt: new Date(noon.getTime() - (i + 1) * day) });
  }
  await api.pool.query(
    `insert into app_public.appointments (user_id, scheduled_at, source, status_source, contact_name, phone_number, notes)
     values ($1, $2, 'api', 'api', 'Gil Marsh', '+4930555099', 'Booked on the website')`,
    [tenant.id, new Date(noon.getTime() + 5 * day)],
  );
  const { rows } = await api.pool.query<{ id: string }>('select id from app_public.appointments where user_id = $1 order by scheduled_at', [tenant.id]);
  appointmentIds.push(...rows.map((r) => r.id));
  // The two past ones: one completed, one no-show.
  await api.pool.query(`update app_public.appointments set status = 'completed', status_source = 'api' where id = $1`, [appointmentIds[0]]);
  await api.pool.query(`update app_public.appointments set status = 'no_show', status_source = 'api' where id = $1`, [appointmentIds[1]]);

  viewerEmail = `viewer-${tenant.email}`;
  const { rows: viewer } = await api.pool.query<{ id: string }>(
    `insert into app_public.members (user_id, email, name, role) values ($1, $2, 'Vera Viewer', 'viewer') returning id`,
    [tenant.id, viewerEmail],
  );
  await api.pool.query(
    `insert into app_private.member_secrets (member_id, password_hash)
     select m, public.crypt($2, public.gen_salt('bf', 4)) from unnest($1::uuid[]) m
     on conflict (member_id) do update set password_hash = excluded.password_hash`,
    [[tenant.id, viewer[0]?.id], PASSWORD],
  );
  browser = await launchChromium({ viewport: { width: 1440, height: 900 }, timezoneId: 'Europe/Berlin' });
  page = await browser.context.newPage();
  await signIn(tenant.email);
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('appointments in Chromium', () => {
  it('lists the appointments, filters by status in the URL, and links to the booking call', async () => {
    await page.goto(`${api.url}/appointments`);
    await expect.poll(() => page.locator('.appointments-row').count(), { timeout: WAIT_MS }).toBe(7);
    await expect(page.locator('[data-testid="appointment-call"]').count()).resolves.toBe(6);
    await bothWidths('appointments');

    await page.getByTestId('filter-status').selectOption('no_show');
    await expect.poll(() => page.locator('.appointments-row').count(), { timeout: WAIT_MS }).toBe(1);
    expect(new URL(page.url()).searchParams.get('status')).toBe('no_show');
    await page.locator('[data-testid="appointment-call"]').first().click();
    await page.waitForSelector('[data-page="call"]', { timeout: WAIT_MS });
  });

  it('a manager (here the owner) confirms and reschedules; the database follows', async () => {
    const id = appointmentIds[3] ?? '';
    await page.goto(`${api.url}/appointments`);
    const row = page.locator(`[data-appointment-id="${id}"]`);
    await row.getByTestId('appointment-set-status').selectOption('confirmed');
    await expect.poll(async () => (await statusOf(id)).status, { timeout: WAIT_MS }).toBe('confirmed');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: WAIT_MS }).toBe('confirmed');

    await row.getByTestId('appointment-reschedule').click();
    await row.getByTestId('appointment-new-time').fill('2027-01-15T10:30');
    await row.getByRole('button', { name: 'Move' }).click();
    await expect.poll(async () => (await statusOf(id)).status, { timeout: WAIT_MS }).toBe('rescheduled');
    expect((await statusOf(id)).scheduled_at.toISOString()).toBe('2027-01-15T09:30:00.000Z');
  });

  it('the booking funnel shows the counts and rates of booking_summary', async () => {
    await page.goto(`${api.url}/insights`);
    await expect.poll(() => page.getByTestId('bookings-booked').locator('strong').textContent(), { timeout: WAIT_MS }).toBe('6');
    await expect(page.getByTestId('bookings-connected').locator('strong').textContent()).resolves.toBe('10');
    await expect(page.getByTestId('bookings-booking-rate').textContent()).resolves.toBe('60.0%');
    await expect(page.getByTestId('bookings-show-rate').textContent()).resolves.toBe('50.0%');
    await page.locator('[data-section="bookings"]').scrollIntoViewIfNeeded();
    await bothWidths('insights-bookings');
  });

  it('a viewer reads the appointments but gets no write controls', async () => {
    await signIn(viewerEmail);
    // (the rescheduled one moved beyond the default range: the last week and the next 30 days)
    await page.goto(`${api.url}/appointments`);
    await expect.poll(() => page.locator('.appointments-row').count(), { timeout: WAIT_MS }).toBe(6);
    expect(await page.getByTestId('appointment-set-status').count()).toBe(0);
    expect(await page.getByTestId('appointment-reschedule').count()).toBe(0);
    expect(await page.getByText('You have view-only access.').count()).toBe(1);
  });
});
