/**
 * The one Recharts wrapper: a titled figure with axis labels and units in the
 * caption, a responsive container, and an empty state. Domain charts only map data.
 */
import { cloneElement, type ReactElement, type ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

export interface ChartFrameProps {
  title: string;
  /** One sentence for screen readers and the caption: what is plotted, axes and units. */
  description: string;
  empty: boolean;
  emptyText?: string;
  height?: number;
  /** Buttons shown beside the title (e.g. CSV export). */
  actions?: ReactNode;
  /** The Recharts chart; its surface becomes a named tab stop (arrow keys step through the points, showing the tooltip). */
  children: ReactElement<Record<string, unknown>>;
}

export const CHART_COLORS = {
  successful: '#2f855a',
  unanswered: '#d69e2e',
  failed: '#c53030',
  primary: '#2b6cb0',
  secondary: '#805ad5',
  muted: '#a0aec0',
} as const;

export const AXIS_TICK = { fontSize: 12, fill: '#4a5568' } as const;

export function ChartFrame({ title, description, empty, emptyText, height = 240, actions, children }: ChartFrameProps) {
  return (
    <figure className="panel chart" aria-label={title}>
      <div className="panel-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {empty ? (
        <div className="state state-empty" data-state="empty" style={{ minHeight: height / 2 }}>
          {emptyText ?? 'No data for this period.'}
        </div>
      ) : (
        <div className="chart-body" style={{ height }}>
          <ResponsiveContainer width="100%" height="100%">
            {cloneElement(children, {
              accessibilityLayer: true,
              'aria-label': `${title}: ${description} Arrow keys step through the points.`,
            })}
          </ResponsiveContainer>
        </div>
      )}
      <figcaption className="muted">{description}</figcaption>
    </figure>
  );
}
