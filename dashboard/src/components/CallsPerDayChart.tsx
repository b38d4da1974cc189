/** Calls per day, stacked by outcome (successful / unanswered / failed; in-flight calls are not stacked). */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from '../api/operations/fragments.ts';
import { allZero, dailyRows, roundDayTicks } from './chart-data.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from './ChartFrame.tsx';
import { StackedTooltip } from './ChartTooltip.tsx';

/** The stack's series, bottom to top: the legend and the tooltip list them in this order. */
const SERIES = ['successful', 'unanswered', 'failed'] as const;
import type { ReactNode } from 'react';

export type DaySegment = 'successful' | 'unanswered' | 'failed';

export function CallsPerDayChart({ points, actions, onSelect }: {
  points: ReadonlyArray<SeriesPoint | null> | null | undefined;
  actions?: ReactNode;
  /** A click on a bar segment (drill-down to those calls). */
  onSelect?(day: string, segment: DaySegment): void;
}) {
  const rows = dailyRows(points);
  const select = (segment: DaySegment) => (_: unknown, index: number): void => {
    const row = rows[index];
    if (row && onSelect) onSelect(row.day, segment);
  };
  const cursor = onSelect ? { cursor: 'pointer' } : undefined;
  return (
    <ChartFrame
      title="Calls per day"
      description="Calls per tenant-local day (x axis, date) stacked by outcome (y axis, calls)."
      empty={allZero(rows.map((row) => row.calls))}
      emptyText="No calls in this period."
      actions={actions}
    >
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 24, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={AXIS_TICK} label={{ value: 'Day', position: 'insideBottom', offset: -16 }} ticks={roundDayTicks(rows)} interval={0} />
        <YAxis allowDecimals={false} tick={AXIS_TICK} label={{ value: 'Calls', angle: -90, position: 'insideLeft' }} />
        <Tooltip content={<StackedTooltip order={SERIES} unit="calls" />} />
        <Legend verticalAlign="top" height={28} itemSorter={null} />
        <Bar isAnimationActive={false} dataKey="successful" name="Successful" stackId="outcome" fill={CHART_COLORS.successful} onClick={select('successful')} style={cursor} />
        <Bar isAnimationActive={false} dataKey="unanswered" name="Unanswered" stackId="outcome" fill={CHART_COLORS.unanswered} onClick={select('unanswered')} style={cursor} />
        <Bar isAnimationActive={false} dataKey="failed" name="Failed" stackId="outcome" fill={CHART_COLORS.failed} onClick={select('failed')} style={cursor} />
      </BarChart>
    </ChartFrame>
  );
}
