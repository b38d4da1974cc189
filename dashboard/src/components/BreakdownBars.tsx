/** Horizontal bars for a breakdown (label, count, share as computed by the API). */
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import type { BreakdownRow } from '../api/operations/fragments.ts';
import { formatInteger, formatPercent } from '../format.ts';
import { allZero, breakdownRows, type BreakdownDatum } from './chart-data.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from './ChartFrame.tsx';

export interface BreakdownBarsProps {
  title: string;
  description: string;
  unit: string;
  rows: ReadonlyArray<BreakdownRow | null> | null | undefined;
  colors?: Readonly<Record<string, string>>;
  emptyText?: string;
  /** A click on a bar (drill-down), with the row's key. */
  onSelect?(key: string): void;
}

function isDatum(value: unknown): value is BreakdownDatum {
  return typeof value === 'object' && value !== null && 'share' in value && 'label' in value;
}

export function BreakdownBars({ title, description, unit, rows, colors = {}, emptyText, onSelect }: BreakdownBarsProps) {
  const data = breakdownRows(rows);
  return (
    <ChartFrame title={title} description={description} empty={allZero(data.map((d) => d.value))} emptyText={emptyText} height={Math.max(140, 44 * data.length + 40)}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 20, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" allowDecimals={false} tick={AXIS_TICK} label={{ value: unit, position: 'insideBottom', offset: -12 }} />
        <YAxis type="category" dataKey="label" tick={AXIS_TICK} width={110} />
        <Tooltip
          formatter={(value, _name, item) => {
            const payload: unknown = item.payload;
            const share = isDatum(payload) ? ` (${formatPercent(payload.share)})` : '';
            return `${formatInteger(typeof value === 'number' ? value : null)} ${unit.toLowerCase()}${share}`;
          }}
        />
        <Bar
          isAnimationActive={false}
          dataKey="value"
          name={unit}
          onClick={(_, index) => { const d = data[index]; if (d && onSelect) onSelect(d.key); }}
          style={onSelect ? { cursor: 'pointer' } : undefined}
        >
          {data.map((d) => (
            <Cell key={d.key} fill={colors[d.key] ?? CHART_COLORS.primary} />
          ))}
        </Bar>
      </BarChart>
    </ChartFrame>
  );
}
