/** Talk time per day (seconds of successful calls, shown as durations). */
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from '../api/operations/fragments.ts';
import { formatDuration, formatDurationShort } from '../format.ts';
import { allZero, dailyRows, roundDayTicks, roundDurationTicks } from './chart-data.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from './ChartFrame.tsx';

export function TalkTimeChart({ points, onSelect }: {
  points: ReadonlyArray<SeriesPoint | null> | null | undefined;
  /** A click on a day (drill-down to its successful calls). */
  onSelect?(day: string): void;
}) {
  const rows = dailyRows(points);
  const yTicks = roundDurationTicks(Math.max(0, ...rows.map((row) => row.talkSeconds)));
  return (
    <ChartFrame
      title="Talk time"
      description="Talk time of successful calls per tenant-local day (x axis, date; y axis, hours and minutes)."
      empty={allZero(rows.map((row) => row.talkSeconds))}
      emptyText="No conversations in this period."
    >
      <AreaChart
        data={rows}
        margin={{ top: 8, right: 8, bottom: 24, left: 16 }}
        onClick={(state) => {
          const row = typeof state.activeTooltipIndex === 'number' ? rows[state.activeTooltipIndex] : rows.find((r) => r.label === state.activeLabel);
          if (row && onSelect) onSelect(row.day);
        }}
        style={onSelect ? { cursor: 'pointer' } : undefined}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={AXIS_TICK} label={{ value: 'Day', position: 'insideBottom', offset: -16 }} ticks={roundDayTicks(rows)} interval={0} />
        <YAxis tick={AXIS_TICK} tickFormatter={(value: number) => formatDurationShort(value)} width={56} ticks={yTicks} domain={[0, yTicks[yTicks.length - 1] ?? 'auto']} />
        <Tooltip formatter={(value) => formatDuration(typeof value === 'number' ? value : null)} />
        <Area isAnimationActive={false} type="linear" dataKey="talkSeconds" name="Talk time" stroke={CHART_COLORS.primary} fill={CHART_COLORS.primary} fillOpacity={0.2} />
      </AreaChart>
    </ChartFrame>
  );
}
