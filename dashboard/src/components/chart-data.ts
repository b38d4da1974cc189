/** Maps API series to chart rows: decimal strings become plot coordinates (no arithmetic). */
import type { BreakdownRow, SeriesPoint } from '../api/operations/fragments.ts';
import { formatDay, formatLabel } from '../format.ts';

export function plotNumber(value: string | number | null | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export interface DailyRow {
  day: string;
  label: string;
  calls: number;
  successful: number;
  unanswered: number;
  failed: number;
  talkSeconds: number;
  leads: number;
}

export function dailyRows(points: ReadonlyArray<SeriesPoint | null> | null | undefined): DailyRow[] {
  return (points ?? []).flatMap((point) =>
    point?.periodStart
      ? [{
          day: point.periodStart,
          label: formatDay(point.periodStart),
          calls: plotNumber(point.figures?.calls),
          successful: plotNumber(point.figures?.successfulCalls),
          unanswered: plotNumber(point.figures?.unansweredCalls),
          failed: plotNumber(point.figures?.failedCalls),
          talkSeconds: plotNumber(point.figures?.talkSeconds),
          leads: plotNumber(point.figures?.leads),
        }]
      : [],
  );
}

export interface BreakdownDatum {
  key: string;
  label: string;
  value: number;
  share: string | null;
}

export function breakdownRows(rows: ReadonlyArray<BreakdownRow | null> | null | undefined): BreakdownDatum[] {
  return (rows ?? []).flatMap((row) =>
    row?.key ? [{ key: row.key, label: row.label ?? formatLabel(row.key), value: plotNumber(row.value), share: row.share }] : [],
  );
}

/** True when every value is zero (a chart of zeros reads as "no data"). */
export function allZero(values: readonly number[]): boolean {
  return values.every((value) => value === 0);
}

/** ISO weekday (1 = Monday) of a calendar day "2026-11-03" (days are already tenant-local). */
function isoWeekday(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const weekday = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/**
 * The days a time axis labels, on round values: every day up to 10 days, then
 * Mondays (weeks), every other Monday past 10 weeks, and the 1st of each month
 * past about 5 months. Returns the rows' `label`s (the axis' category values).
 */
export function roundDayTicks(rows: ReadonlyArray<Pick<DailyRow, 'day' | 'label'>>): string[] {
  const n = rows.length;
  if (n <= 10) return rows.map((row) => row.label);
  if (n <= 150) {
    const mondays = rows.filter((row) => isoWeekday(row.day) === 1);
    const step = mondays.length > 10 ? 2 : 1;
    return mondays.filter((_, i) => i % step === 0).map((row) => row.label);
  }
  return rows.filter((row) => row.day.endsWith('-01')).map((row) => row.label);
}

/** Round duration steps (seconds) for a talk-time axis: 1, 5, 10, 15, 30 min, 1, 2, 4, 6, 12, 24 h. */
const DURATION_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400];

/** Ticks at round durations from 0 past the maximum, at most `maxTicks` intervals. */
export function roundDurationTicks(max: number, maxTicks = 5): number[] {
  if (!(max > 0)) return [0];
  const step = DURATION_STEPS.find((s) => max / s <= maxTicks) ?? Math.ceil(max / maxTicks / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}
