/**
 * Layout and accessibility of the dashboard in Chromium, on the KPI dataset:
 *
 * - no page is wider than the screen at 390 px or 1440 px: document
 *   `scrollWidth` on EVERY route of dashboard/src/App.tsx (read from its
 *   source, so a page added later is measured too), signed in and signed out;
 *   at 1440 px every page's text also passes axe-core's WCAG AA colour-contrast rule;
 * - at 1440 px the leaderboard shows every column (sparklines included) without scrolling;
 * - each KPI card explains its definition (the API's kpiDefinitions, i.e. the
 *   SQL comments) on hover and on keyboard focus;
 * - changing the range keeps the previous figures on screen, marked busy,
 *   until the new ones arrive (the answer is held back to look at that moment);
 * - no chart is an unnamed tab stop; the heatmap has a colour legend;
 * - axe-core finds no WCAG 2 A/AA violation on the overview and the agent page
 *   (colour contrast included).
 *
 * Screenshots go to test-artifacts/dashboard/layout-*.png (git-ignored).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { seedKpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

/** The browser globals the page callbacks use (this file is checked without the DOM lib; they run in Chromium). */
interface El {
  tagName: string;
  id: string;
  className: unknown;
  textContent: string | null;
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
  closest(selector: string): El | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<El>;
  scrollWidth: number;
  clientWidth: number;
}
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
  activeElement: El | null;
};
declare const window: { getComputedStyle(el: El): { visibility: string; display: string; overflowX: string } };
interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
}
declare const axe: { run(context: unknown, options: unknown): Promise<AxeResult> };

const APP_TSX = path.resolve(import.meta.dirname, '../../dashboard/src/App.tsx');
const WAIT_MS = 20_000;
const WIDTHS = [390, 1440] as const;

let api: WebhookApp;
let tenant: KpiTenant;
let browser: ChromiumSession;
let page: Page;
let ids: Record<string, string>;

export interface AppRoutes {
  signedIn: string[];
  signedOut: string[];
}

/** Every route App.tsx knows: its matchPath patterns, `pathname ===` literals and SETTINGS_PAGES keys, split at SignedOut. */
export function routesOf(source: string): AppRoutes {
  const cut = source.indexOf('function SignedOut');
  if (cut < 0) throw new Error('App.tsx has no SignedOut function');
  const collect = (text: string): string[] => {
    const found = new Set<string>();
    for (const m of text.matchAll(/matchPath\('([^']+)'/g)) if (m[1]) found.add(m[1]);
    for (const m of text.matchAll(/pathname === '([^']+)'/g)) if (m[1]) found.add(m[1]);
    for (const m of text.matchAll(/^\s*'(\/[^']*)':\s*[A-Z]\w*,\s*$/gm)) if (m[1]) found.add(m[1]);
    return [...found].sort();
  };
  const signedIn = collect(source.slice(0, cut));
  // the settings index and an unknown path (the not-found page) are pages too
  return { signedIn: [...signedIn, '/settings', '/no-such-page'], signedOut: [...collect(source.slice(cut)), '/'] };
}

let axeScript: string | undefined;
/** axe-core's browser build, run in the page through the DevTools protocol (the page's CSP does not apply). */
async function axeSource(): Promise<string> {
  axeScript ??= await readFile(path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');
  return axeScript;
}

/** A route's pattern with real ids for its parameters (a new parameter must be added here). */
function concrete(pattern: string): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    const value = ids[name];
    if (!value) throw new Error(`no value for the route parameter :${name} of ${pattern}: add one to the layout test`);
    return value;
  });
}

async function signInWithToken(): Promise<void> {
  const token = api.tokenFor(tenant.userId);
  await page.goto(`${api.url}/sign-in`);
  await page.evaluate((t) => {
    (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('switchboard.jwt', t);
  }, token);
}

async function signOut(): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { localStorage: { removeItem(k: string): void } }).localStorage.removeItem('switchboard.jwt');
  });
}

/** Opens a route and waits until nothing is loading and the network is quiet (charts drawn). */
async function open(route: string): Promise<void> {
  await page.goto(`${api.url}${route}`);
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('[data-state="loading"], .state-loading'), undefined, { timeout: WAIT_MS });
  await page.waitForTimeout(50); // ResponsiveContainer sizes charts on the next frame
}

/** How much wider than the viewport the document is, and the first elements that stick out (outside scroll boxes). */
async function overflow(): Promise<{ scrollWidth: number; clientWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    const culprits: string[] = [];
    if (scrollWidth > clientWidth) {
      for (const el of document.querySelectorAll('body *')) {
        if (el.getBoundingClientRect().right <= clientWidth + 0.5) continue;
        culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).split(' ').join('.')}`);
        if (culprits.length >= 6) break;
      }
    }
    return { scrollWidth, clientWidth, culprits };
  });
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  // No live-update stream: `open` waits for the network to be quiet, which an open event stream never is.
  api = await startWebhookApp({ graphql: true, events: false, env: { RATE_LIMIT_BURST: '5000' } });
  const data = await seedKpiDataset(api.pool);
  const newYork = data.tenants.find((t) => t.key === 'newyork');
  if (!newYork) throw new Error('dataset without the New York tenant');
  tenant = newYork;
  await api.pool.query('select app_hidden.refresh_kpi_summary()');
  const call = await api.pool.query<{ id: string }>('select id from app_public.calls where user_id = $1 order by started_at desc limit 1', [tenant.userId]);
  const contact = await api.pool.query<{ id: string }>('select id from app_public.contacts where user_id = $1 limit 1', [tenant.userId]);
  const agent = tenant.agents[0];
  if (!agent || !call.rows[0]) throw new Error('dataset without agents or calls');
  ids = {
    agentId: agent.id,
    callId: call.rows[0].id,
    // a contact if the dataset linked one; a well-formed id otherwise (the page's not-found state is measured then)
    contactId: contact.rows[0]?.id ?? '00000000-0000-7000-8000-000000000000',
    token: 'not-a-real-token',
  };
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('routes', () => {
  it('are read from App.tsx: signed in and signed out, settings sections included', async () => {
    const routes = routesOf(await readFile(APP_TSX, 'utf8'));
    for (const route of ['/', '/agents/:agentId', '/calls', '/calls/:callId', '/leads', '/contacts/:contactId', '/settings/providers', '/settings/privacy', '/audit']) {
      expect(routes.signedIn).toContain(route);
    }
    for (const route of ['/sign-up', '/invite/:token', '/reset-password/:token']) expect(routes.signedOut).toContain(route);
  });
});

describe('no page wider than the screen', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px, every route signed in and signed out`, async () => {
      const routes = routesOf(await readFile(APP_TSX, 'utf8'));
      await page.setViewportSize({ width, height: 900 });
      const wide: Array<{ route: string; scrollWidth: number; culprits: string[] }> = [];
      const lowContrast: string[] = [];
      /** At 1440 px every page's text is also checked for WCAG AA contrast (axe-core's color-contrast rule). */
      const contrast = async (route: string): Promise<void> => {
        if (width !== 1440) return;
        await page.evaluate(await axeSource());
        const result = await page.evaluate(() => axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } }));
        for (const v of result.violations) lowContrast.push(`${route}: ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('; ')}`);
      };
      await signInWithToken();
      for (const pattern of routes.signedIn) {
        const route = concrete(pattern);
        await open(route);
        const seen = await overflow();
        if (seen.scrollWidth > seen.clientWidth) wide.push({ route, scrollWidth: seen.scrollWidth, culprits: seen.culprits });
        await contrast(route);
        if (pattern === '/' || pattern === '/agents/:agentId') await screenshot(page, `dashboard/layout-${pattern === '/' ? 'overview' : 'agent'}-${width}`);
      }
      await signOut();
      for (const pattern of routes.signedOut) {
        const route = concrete(pattern);
        await open(route);
        const seen = await overflow();
        if (seen.scrollWidth > seen.clientWidth) wide.push({ route: `${route} (signed out)`, scrollWidth: seen.scrollWidth, culprits: seen.culprits });
        await contrast(`${route} (signed out)`);
      }
      expect(wide).toEqual([]);
      expect(lowContrast).toEqual([]);
    }, 180_000);
  }
});

describe('the overview at 1440 px', () => {
  beforeAll(async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInWithToken();
    await open('/');
  });

  it('shows every leaderboard column, sparklines included, without scrolling', async () => {
    const seen = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="leaderboard"]');
      const box = table?.closest('.table-scroll');
      if (!table || !box) return null;
      const boxRect = box.getBoundingClientRect();
      const headers = [...table.querySelectorAll('thead th')].map((th) => ({ text: (th.textContent ?? '').replace(/[▲▼]/g, '').trim(), inside: th.getBoundingClientRect().right <= boxRect.right + 0.5 }));
      const sparklines = [...table.querySelectorAll('tbody .sparkline')].map((svg) => svg.getBoundingClientRect().right <= boxRect.right + 0.5 && svg.getBoundingClientRect().width > 0);
      return { scrolls: box.scrollWidth > box.clientWidth, headers, sparklines };
    });
    expect(seen).not.toBeNull();
    expect(seen?.scrolls).toBe(false);
    expect(seen?.headers.filter((h) => !h.inside)).toEqual([]);
    expect(seen?.headers.map((h) => h.text)).toContain('Avg duration');
    expect(seen?.sparklines.length).toBeGreaterThan(0);
    expect(seen?.sparklines.every(Boolean)).toBe(true);
  });

  it('lays the KPI cards out evenly: one width, full rows', async () => {
    const widths = await page.evaluate(() => [...document.querySelectorAll('.kpi-card')].map((card) => Math.round(card.getBoundingClientRect().width)));
    expect(widths.length).toBeGreaterThan(0);
    expect(new Set(widths).size).toBe(1);
  });

  it('explains each KPI card on hover and on keyboard focus, with the SQL comment', async () => {
    const { rows } = await api.pool.query<{ definition: string }>(`select col_description('app_public.kpi_figures'::regclass, attnum) as definition from pg_attribute where attrelid = 'app_public.kpi_figures'::regclass and attname = 'answer_rate'`);
    const expected = rows[0]?.definition;
    expect(expected).toBeTruthy();
    const tip = page.getByTestId('kpi-answerRate-definition');
    await expect.poll(async () => tip.textContent(), { timeout: WAIT_MS }).toBe(expected);
    expect(await tip.isVisible()).toBe(false);
    await page.hover('[data-kpi="answerRate"]');
    expect(await tip.isVisible()).toBe(true);
    await page.mouse.move(0, 0);
    expect(await tip.isVisible()).toBe(false);
    await page.locator('[data-kpi="answerRate"] .kpi-info').focus();
    expect(await tip.isVisible()).toBe(true);
    // the button is described by the definition (what a screen reader reads)
    expect(await page.locator('[data-kpi="answerRate"] .kpi-info').getAttribute('aria-describedby')).toBe(await tip.getAttribute('id'));
    await page.locator('[data-kpi="answerRate"] .kpi-info').blur();
    // every card has one
    const missing = await page.evaluate(() =>
      [...document.querySelectorAll('.kpi-card')].filter((card) => !(card.querySelectorAll('.kpi-definition')[Symbol.iterator]().next().value?.textContent ?? '')).map((card) => card.getAttribute('data-kpi')),
    );
    expect(missing).toEqual([]);
  });

  it('has a heatmap colour legend, and no chart is an unnamed tab stop', async () => {
    const legend = await page.evaluate(() => [...document.querySelectorAll('.heatmap-legend li')].map((li) => li.textContent?.trim() ?? ''));
    expect(legend.length).toBeGreaterThanOrEqual(3);
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('.chart-body [tabindex], .heatmap [tabindex]')]
        .filter((el) => el.getAttribute('tabindex') !== '-1' && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`),
    );
    expect(unnamed).toEqual([]);
  });

  it('keeps the figures on screen, marked busy, while a new range loads', async () => {
    const before = await page.getByTestId('kpi-calls').getAttribute('data-value');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let heldOne = false;
    const hold = async (route: Route): Promise<void> => {
      const body = route.request().postData() ?? '';
      if (!heldOne && /Overview/.test(body)) {
        heldOne = true;
        await held;
      }
      await route.continue().catch(() => undefined); // after a failure the route may be gone already
    };
    await page.route('**/graphql', hold);
    try {
      await page.getByLabel('7 days', { exact: true }).check();
      await page.waitForSelector('[data-state="updating"][aria-busy="true"]', { timeout: WAIT_MS });
      // the previous figures are still there
      expect(await page.getByTestId('kpi-calls').getAttribute('data-value')).toBe(before);
      expect(await page.locator('.leaderboard tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-state="loading"]').count()).toBe(0);
      release();
      await page.waitForSelector('[data-state="updating"]', { state: 'detached', timeout: WAIT_MS });
      expect(await page.locator('.gate[aria-busy="true"]').count()).toBe(0);
    } finally {
      release();
      await page.unroute('**/graphql', hold);
    }
  });
});

describe('axe-core (WCAG 2 A and AA)', () => {
  it('finds no violation on the overview and the agent page, at 1440 and 390 px', async () => {
    const source = await axeSource();
    await signInWithToken();
    const found: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const route of ['/', `/agents/${ids.agentId ?? ''}`]) {
        await open(route);
        await page.evaluate(source); // through the DevTools protocol: the page's CSP does not apply
        const result = await page.evaluate(() => axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
        for (const v of result.violations) {
          found.push(`${width}px ${route}: ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`);
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);
});
