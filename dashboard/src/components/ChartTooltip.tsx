/**
 * The tooltip of a stacked chart: the series in legend order (as the chart
 * declares them), each with its colour and value, then the total of the stack.
 */
import { formatInteger } from '../format.ts';

export interface TooltipEntry {
  name?: unknown;
  value?: unknown;
  color?: string;
  dataKey?: unknown;
}

export interface StackedTooltipProps {
  active?: boolean;
  label?: unknown;
  payload?: ReadonlyArray<TooltipEntry>;
  /** The series' data keys in legend order. */
  order: readonly string[];
  unit: string;
}

export function StackedTooltip({ active, label, payload, order, unit }: StackedTooltipProps) {
  if (!active || !payload || payload.length === 0) return null;
  const rank = (entry: TooltipEntry): number => {
    const i = order.indexOf(String(entry.dataKey));
    return i < 0 ? order.length : i;
  };
  const entries = [...payload].sort((a, b) => rank(a) - rank(b));
  const total = entries.reduce((sum, entry) => sum + (typeof entry.value === 'number' ? entry.value : 0), 0);
  return (
    <div className="chart-tooltip">
      <p className="chart-tooltip-label">{String(label ?? '')}</p>
      <ul>
        {entries.map((entry) => (
          <li key={String(entry.dataKey)}>
            <span className="swatch" style={{ background: entry.color }} aria-hidden="true" />
            {String(entry.name ?? entry.dataKey)}: <strong>{formatInteger(typeof entry.value === 'number' ? entry.value : null)}</strong>
          </li>
        ))}
      </ul>
      <p className="chart-tooltip-total">
        Total: <strong>{formatInteger(total)}</strong> {unit}
      </p>
    </div>
  );
}
