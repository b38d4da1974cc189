/** A tiny daily trend for table rows (no axes; the row has the numbers): an image, never a tab stop. */
import { Line, LineChart } from 'recharts';
import { plotNumber } from './chart-data.ts';
import { CHART_COLORS } from './ChartFrame.tsx';

export function Sparkline({ values, label }: { values: ReadonlyArray<string | null> | null | undefined; label: string }) {
  const data = (values ?? []).map((value, index) => ({ index, value: plotNumber(value) }));
  if (data.length < 2) return <span className="muted">—</span>;
  return (
    <span role="img" aria-label={label} className="sparkline">
      <LineChart width={96} height={28} data={data} accessibilityLayer={false} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
        <Line type="monotone" dataKey="value" stroke={CHART_COLORS.primary} strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </span>
  );
}
