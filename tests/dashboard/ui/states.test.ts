/**
 * Loading, empty and error states and the figures the components render
 * (server-side rendered to HTML: no DOM needed).
 */
import { createElement, type ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../dashboard/src/api/client.ts';
import type { RangeSummary, SeriesPoint } from '../../../dashboard/src/api/operations/fragments.ts';
import type { LeaderboardRow, NotificationItem } from '../../../dashboard/src/api/operations/overview.ts';
import { CallsPerDayChart } from '../../../dashboard/src/components/CallsPerDayChart.tsx';
import { HotLeads } from '../../../dashboard/src/components/HotLeads.tsx';
import { HourHeatmap } from '../../../dashboard/src/components/HourHeatmap.tsx';
import { KpiCards } from '../../../dashboard/src/components/KpiCards.tsx';
import { LeaderboardTable } from '../../../dashboard/src/components/LeaderboardTable.tsx';
import { sortRows } from '../../../dashboard/src/components/leaderboard-sort.ts';
import { StatusGate } from '../../../dashboard/src/components/StatusGate.tsx';

/** The markup without React's text separators (`<!-- -->`). */
const html = (element: ReactElement): string => renderToString(element).replaceAll('<!-- -->', '');

function summary(overrides: Partial<RangeSummary> = {}): RangeSummary {
  return {
    fromDate: '2026-03-01', toDate: '2026-03-30', previousFromDate: '2026-01-30', previousToDate: '2026-02-28',
    timezone: 'UTC', creditsAvailable: 4200,
    current: {
      calls: '1234', successfulCalls: '600', answerRate: '0.6512', successRate: '0.4862', averageDurationSeconds: '245.50',
      leads: '300', qualifiedLeads: '120', hotLeads: '75', conversionRate: '0.4', ctaRate: null, creditsUsed: '900', talkSeconds: '99000',
    },
    change: {
      calls: '0.125', answerRate: '-0.0320', successRate: '0', averageDurationSeconds: null, leads: null, qualifiedLeads: null,
      hotLeads: '-0.5', conversionRate: null, ctaRate: null, creditsUsed: '0.2', talkSeconds: null,
    },
    leadTemperature: [], ctaFunnel: [], callSources: [],
    ...overrides,
  };
}

/** The text of the element carrying data-testid="<id>" (first match). */
function testIdText(markup: string, id: string): string | undefined {
  const match = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(markup);
  return match?.[1];
}

describe('StatusGate', () => {
  const child = createElement('p', null, 'the figures');

  it('shows a polite loading status and not the content', () => {
    const out = html(createElement(StatusGate, { label: 'overview', loading: true, error: undefined, children: child }));
    expect(out).toContain('role="status"');
    expect(out).toContain('Loading the overview');
    expect(out).not.toContain('the figures');
  });

  it('shows the error as an alert with a retry button, before anything else', () => {
    const out = html(createElement(StatusGate, { label: 'overview', loading: true, error: new ApiError('rate limited', 'RATE_LIMITED'), onRetry: () => undefined, children: child }));
    expect(out).toContain('role="alert"');
    expect(out).toContain('Could not load the overview: rate limited');
    expect(out).toContain('Try again');
    expect(out).not.toContain('the figures');
  });

  it('shows the empty text when there is nothing, else the content', () => {
    expect(html(createElement(StatusGate, { label: 'agent', loading: false, error: undefined, empty: true, emptyText: 'Nobody here.', children: child }))).toContain('Nobody here.');
    const out = html(createElement(StatusGate, { label: 'agent', loading: false, error: undefined, children: child }));
    expect(out).toContain('the figures');
    expect(out).not.toContain('data-state');
  });
});

describe('KPI cards', () => {
  it('render the API values formatted, with the exact value and change as data attributes', () => {
    const out = html(createElement(KpiCards, { summary: summary() }));
    expect(testIdText(out, 'kpi-calls')).toBe('1,234');
    expect(out).toContain('data-testid="kpi-calls" data-value="1234"');
    expect(testIdText(out, 'kpi-answerRate')).toBe('65.1%');
    expect(testIdText(out, 'kpi-successRate')).toBe('48.6%');
    expect(testIdText(out, 'kpi-averageDurationSeconds')).toBe('4m 06s');
    expect(testIdText(out, 'kpi-ctaRate')).toBe('—');
    expect(out).toContain('+12.5%');
    expect(out).toContain('-3.2 pts');
    expect(out).toContain('4,200 credits left');
    // a rise in credits used is not good news; a fall in hot leads neither
    expect(out).toMatch(/kpi-change-bad" data-testid="kpi-creditsUsed-change"/);
    expect(out).toMatch(/kpi-change-bad" data-testid="kpi-hotLeads-change"/);
    expect(out).toMatch(/kpi-change-good" data-testid="kpi-calls-change"/);
  });

  it('say "no previous data" when the change is null', () => {
    const out = html(createElement(KpiCards, { summary: summary() }));
    expect(out).toMatch(/data-testid="kpi-leads-change" data-value=""><span>no previous data/);
  });
});

describe('charts, heatmap, leaderboard, hot leads: empty states', () => {
  const zeroDay = (day: string): SeriesPoint => ({
    periodStart: day, periodEnd: day,
    figures: { calls: '0', successfulCalls: '0', unansweredCalls: '0', failedCalls: '0', talkSeconds: '0', leads: '0' },
  });

  it('a chart of zero calls shows the empty state; with calls it draws', () => {
    expect(html(createElement(CallsPerDayChart, { points: [zeroDay('2026-03-01'), zeroDay('2026-03-02')] }))).toContain('No calls in this period.');
    const busy: SeriesPoint = { ...zeroDay('2026-03-02'), figures: { calls: '3', successfulCalls: '2', unansweredCalls: '1', failedCalls: '0', talkSeconds: '90', leads: '1' } };
    const out = html(createElement(CallsPerDayChart, { points: [zeroDay('2026-03-01'), busy] }));
    expect(out).not.toContain('No calls in this period.');
    expect(out).toContain('class="chart-body"');
    expect(out).toContain('Calls per day');
  });

  it('the heatmap is empty without calls and labels each cell otherwise', () => {
    expect(html(createElement(HourHeatmap, { matrix: null }))).toContain('No calls in this period.');
    const zeros = { calls: Array.from({ length: 168 }, () => '0'), answerRate: Array.from({ length: 168 }, () => null) };
    expect(html(createElement(HourHeatmap, { matrix: zeros }))).toContain('No calls in this period.');
    // Tuesday 09:00 is entry (2 - 1) * 24 + 9 = 33 of the weekday-major arrays.
    const calls = zeros.calls.map((v, i) => (i === 33 ? '7' : i === 167 ? '2' : v));
    const answerRate = zeros.answerRate.map((v, i) => (i === 33 ? '0.5' : v));
    const out = html(createElement(HourHeatmap, { matrix: { calls, answerRate } }));
    expect(out).toContain('Tue 09:00: 7 calls, answer rate 50.0%');
    expect(out).toContain('Sun 23:00: 2 calls');
    expect(out).toContain('Mon 00:00: 0 calls');
  });

  it('the leaderboard says when there are no agents and lists rows otherwise', () => {
    const props = { agentHref: (id: string) => `/agents/${id}`, onOpenAgent: () => undefined };
    expect(html(createElement(LeaderboardTable, { rows: [], ...props }))).toContain('No agents yet.');
    const row: LeaderboardRow = {
      agentId: 'a1', name: 'Asha', isActive: false, rank: 1, dailyCalls: ['1', '2'],
      figures: { calls: '1500', successfulCalls: '700', successRate: '0.4667', leads: '10', qualifiedLeads: '4', conversionRate: '0.4', averageDurationSeconds: '61' },
    };
    const out = html(createElement(LeaderboardTable, { rows: [row], ...props }));
    expect(out).toContain('data-agent-id="a1"');
    expect(out).toContain('1,500');
    expect(out).toContain('46.7%');
    expect(out).toContain('inactive');
  });

  it('hot leads: empty message, or items with the unread badge and a mark-as-read button', () => {
    const props = {
      timeZone: 'UTC', pending: new Set<string>(), onMarkRead: () => undefined, onMarkAllRead: () => undefined,
      leadsHref: '/leads?temperature=hot', onOpen: () => undefined,
    };
    expect(html(createElement(HotLeads, { items: [], hotLeads: '3', unread: '0', ...props }))).toContain('every hot lead of this period is read');
    const item: NotificationItem = {
      leadAnalyticId: 'l1', callId: 'c1', contactId: 'k1', phoneNumber: '+15550001', extractedName: 'Dana', companyName: 'Acme', leadStatusTag: 'hot',
      totalScore: 88, smartNotification: 'Call back about pricing', analyzedAt: '2026-03-01T10:00:00Z', startedAt: '2026-03-01T09:00:00Z',
    };
    const out = html(createElement(HotLeads, { items: [item], hotLeads: '69', unread: '12', ...props }));
    expect(out).toContain('data-testid="unread-count" data-value="12"');
    expect(out).toContain('data-hot="69"');
    expect(out).toContain('href="/contacts/k1"');
    expect(out).toContain('See all 69 hot leads');
    expect(out).toContain('Call back about pricing');
    expect(out).toContain('Mark as read: Dana');
  });
});

describe('leaderboard sorting', () => {
  const row = (name: string, rank: number, calls: string | null): LeaderboardRow => ({
    agentId: name, name, isActive: true, rank, dailyCalls: [],
    figures: { calls, successfulCalls: '0', successRate: null, leads: '0', qualifiedLeads: '0', conversionRate: null, averageDurationSeconds: null },
  });
  const rows = [row('B', 2, '9'), row('A', 1, '10'), row('C', 3, null)];

  it('sorts numerically (not as text), names alphabetically, missing values last', () => {
    expect(sortRows(rows, 'calls', 'desc').map((r) => r.name)).toEqual(['A', 'B', 'C']);
    expect(sortRows(rows, 'calls', 'asc').map((r) => r.name)).toEqual(['B', 'A', 'C']);
    expect(sortRows(rows, 'name', 'desc').map((r) => r.name)).toEqual(['C', 'B', 'A']);
    expect(sortRows(rows, 'rank', 'asc').map((r) => r.name)).toEqual(['A', 'B', 'C']);
  });
});
