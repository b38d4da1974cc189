/**
 * Chart details without a browser: time axes on round values (days: every
 * day, Mondays, every other Monday, 1st of the month; durations: round
 * minutes and hours), the heatmap's colour legend (the calls each shade stands
 * for), the stacked tooltip (legend order, total) and the updating state.
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { roundDayTicks, roundDurationTicks, type DailyRow } from '../../../dashboard/src/components/chart-data.ts';
import { StackedTooltip } from '../../../dashboard/src/components/ChartTooltip.tsx';
import { heatLegend } from '../../../dashboard/src/components/HourHeatmap.tsx';
import { StatusGate } from '../../../dashboard/src/components/StatusGate.tsx';
import { formatDay } from '../../../dashboard/src/format.ts';

function days(from: string, n: number): DailyRow[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    return { day, label: formatDay(day), calls: 0, successful: 0, unanswered: 0, failed: 0, talkSeconds: 0, leads: 0 };
  });
}

describe('round time axes', () => {
  it('labels every day of a week, Mondays of a month, every other Monday of a quarter, the 1st of each month past that', () => {
    expect(roundDayTicks(days('2026-11-01', 7))).toEqual(days('2026-11-01', 7).map((d) => d.label));
    // 2026-11-02 is a Monday
    expect(roundDayTicks(days('2026-11-01', 30))).toEqual(['Nov 2', 'Nov 9', 'Nov 16', 'Nov 23', 'Nov 30']);
    const quarter = roundDayTicks(days('2026-09-01', 90));
    expect(quarter[0]).toBe('Sep 7');
    expect(quarter[1]).toBe('Sep 21');
    expect(quarter.length).toBeLessThanOrEqual(7);
    expect(roundDayTicks(days('2026-01-15', 200))).toEqual(['Feb 1', 'Mar 1', 'Apr 1', 'May 1', 'Jun 1', 'Jul 1', 'Aug 1']);
  });

  it('puts durations on round minutes and hours, from 0 past the maximum', () => {
    expect(roundDurationTicks(0)).toEqual([0]);
    expect(roundDurationTicks(200)).toEqual([0, 60, 120, 180, 240]);
    expect(roundDurationTicks(3300)).toEqual([0, 900, 1800, 2700, 3600]);
    expect(roundDurationTicks(4 * 3600 + 10)).toEqual([0, 3600, 7200, 10_800, 14_400, 18_000]);
    for (const max of [1, 59, 61, 599, 3601, 40_000, 200_000]) {
      const ticks = roundDurationTicks(max);
      expect(ticks.at(-1) ?? 0).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
  });
});

describe('heatmap legend', () => {
  it('says which calls each shade stands for, contiguous up to the busiest cell', () => {
    expect(heatLegend(9).map((i) => i.label)).toEqual(['no calls', '1–2', '3–4', '5–6', '7–9']);
    expect(heatLegend(1).map((i) => [i.step, i.label])).toEqual([[0, 'no calls'], [4, '1']]);
    expect(heatLegend(2).map((i) => [i.step, i.label])).toEqual([[0, 'no calls'], [2, '1'], [4, '2']]);
    expect(heatLegend(1000).at(-1)?.label).toBe('751–1,000');
  });
});

describe('stacked tooltip', () => {
  it('lists the series in legend order whatever order Recharts passes, with the total', () => {
    const out = renderToString(
      createElement(StackedTooltip, {
        active: true,
        label: 'Nov 3',
        order: ['successful', 'unanswered', 'failed'],
        unit: 'calls',
        payload: [
          { dataKey: 'failed', name: 'Failed', value: 1, color: '#c53030' },
          { dataKey: 'successful', name: 'Successful', value: 1200, color: '#2f855a' },
          { dataKey: 'unanswered', name: 'Unanswered', value: 30, color: '#d69e2e' },
        ],
      }),
    );
    const names = [...out.matchAll(/(Successful|Unanswered|Failed)/g)].map((m) => m[1]);
    expect(names).toEqual(['Successful', 'Unanswered', 'Failed']);
    expect(out.replace(/<!-- -->/g, '')).toMatch(/Total: <strong>1,231<\/strong> calls/);
    expect(renderToString(createElement(StackedTooltip, { active: false, order: [], unit: 'calls', payload: [] }))).toBe('');
  });
});

describe('updating', () => {
  it('keeps the content, marks it busy and says the figures are the previous ones', () => {
    const out = renderToString(createElement(StatusGate, { label: 'overview', loading: false, error: undefined, updating: true, children: createElement('p', null, 'the figures') }));
    expect(out).toContain('the figures');
    expect(out).toContain('aria-busy="true"');
    expect(out).toContain('data-state="updating"');
    expect(out.replace(/<!-- -->/g, '')).toContain('Updating the overview: the figures below are the previous ones.');
  });
});
