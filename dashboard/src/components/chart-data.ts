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
