/** One KPI: its value and the change against the previous period (props only; the API computed both). */
import { MISSING } from '../format.ts';

export type ChangeTone = 'up' | 'down' | 'flat' | 'none';

export interface KpiCardProps {
  /** Stable id for tests and CSV ("calls", "answerRate"). */
  id: string;
  label: string;
  /** The formatted value. */
  value: string;
  /** The API's exact value (data attribute, CSV). */
  raw: string | number | null;
  /** The formatted change ("+12.5%", "-3.0 pts"), or MISSING. */
  change: string;
  changeRaw: string | null;
  /** Whether a rise is good (calls) or bad (credits used). */
  higherIsBetter?: boolean;
  hint?: string;
  /** What the KPI counts, in plain words (the API's kpiDefinitions): shown on hover and focus. */
  definition?: string;
  /** The call log of the calls behind the figure (drill-down); the value becomes a link. */
  href?: string;
  onOpen?(href: string): void;
}

function tone(changeRaw: string | null): ChangeTone {
  if (changeRaw === null) return 'none';
  if (/^-/.test(changeRaw)) return 'down';
  if (/^0*(\.0*)?$/.test(changeRaw)) return 'flat';
  return 'up';
}

export function KpiCard({ id, label, value, raw, change, changeRaw, higherIsBetter = true, hint, definition, href, onOpen }: KpiCardProps) {
  const direction = tone(changeRaw);
  const good = direction === 'flat' || direction === 'none' ? 'neutral' : (direction === 'up') === higherIsBetter ? 'good' : 'bad';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '';
  return (
    <section className="kpi-card" data-kpi={id} aria-labelledby={`kpi-${id}-label`}>
      <div className="kpi-head">
        <h3 id={`kpi-${id}-label`} className="kpi-label">
          {label}
        </h3>
        {definition ? (
          <button type="button" className="kpi-info" aria-label={`What ${label} counts`} aria-describedby={`kpi-${id}-definition`}>
            <span aria-hidden="true">?</span>
          </button>
        ) : null}
      </div>
      {definition ? (
        <p id={`kpi-${id}-definition`} className="kpi-definition" role="tooltip" data-testid={`kpi-${id}-definition`}>
          {definition}
        </p>
      ) : null}
      <p className="kpi-value" data-testid={`kpi-${id}`} data-value={raw ?? ''}>
        {href ? (
          <a
            href={href}
            className="kpi-drill"
            aria-label={`${label}: ${value}, open these calls`}
            onClick={(event) => {
              if (!onOpen || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              onOpen(href);
            }}
          >
            {value}
          </a>
        ) : (
          value
        )}
      </p>
      <p className={`kpi-change kpi-change-${good}`} data-testid={`kpi-${id}-change`} data-value={changeRaw ?? ''}>
        {change === MISSING ? (
          <span>no previous data</span>
        ) : (
          <>
            <span aria-hidden="true">{arrow} </span>
            {change} <span className="muted">vs previous period</span>
          </>
        )}
      </p>
      {hint ? <p className="kpi-hint muted">{hint}</p> : null}
    </section>
  );
}
