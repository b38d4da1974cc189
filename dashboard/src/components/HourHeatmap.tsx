/**
 * Hour-of-day x weekday heatmap as an accessible table (every cell has its
 * count in text). Shading is presentation only: a cell's calls against the
 * busiest cell, in five steps.
 */
import type { HourMatrix } from '../api/operations/overview.ts';
import { formatHour, formatInteger, formatPercent, formatWeekday } from '../format.ts';
import { plotNumber } from './chart-data.ts';

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The matrix's arrays are weekday-major: Monday 00:00 is entry 0, Sunday 23:00 entry 167. */
export function matrixIndex(isoWeekday: number, hour: number): number {
  return (isoWeekday - 1) * 24 + hour;
}

/** The five shades and the calls each stands for (a cell's calls against the busiest cell, in quarters). */
export function heatLegend(busiest: number): Array<{ step: number; label: string }> {
  const items = [{ step: 0, label: 'no calls' }];
  let from = 1;
  for (let step = 1; step <= 4; step += 1) {
    const to = Math.floor((busiest * step) / 4);
    if (to >= from) items.push({ step, label: from === to ? `${formatInteger(from)}` : `${formatInteger(from)}–${formatInteger(to)}` });
    from = Math.max(from, to + 1);
  }
  return items;
}

export function HourHeatmap({ matrix, note, cellHref, onOpen }: {
  matrix: HourMatrix | null | undefined;
  note?: string;
  /** The call log of a cell's calls (drill-down); the cell becomes a link. */
  cellHref?(isoWeekday: number, hour: number): string;
  onOpen?(href: string): void;
}) {
  const calls = matrix?.calls ?? [];
  const answerRates = matrix?.answerRate ?? [];
  const busiest = Math.max(0, ...calls.map((value) => plotNumber(value)));
  const step = (n: number): number => (busiest === 0 || n === 0 ? 0 : Math.ceil((n / busiest) * 4));
  const legend = heatLegend(busiest);
  return (
    <figure className="panel heatmap" aria-label="Calls by hour and weekday">
      <div className="panel-head">
        <h2>Calls by hour and weekday</h2>
      </div>
      {busiest === 0 ? (
        <div className="state state-empty" data-state="empty">No calls in this period.</div>
      ) : (
        <div className="heatmap-scroll" tabIndex={0} role="region" aria-label="Calls by hour and weekday (scrolls sideways)">
          <table className="heatmap-table">
            <caption className="sr-only">Calls per tenant-local hour (columns) and weekday (rows), with the answer rate</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {HOURS.map((hour) => (
                  <th key={hour} scope="col" className="heatmap-hour">
                    {hour % 3 === 0 ? String(hour).padStart(2, '0') : <span className="sr-only">{formatHour(hour)}</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {WEEKDAYS.map((weekday) => (
                <tr key={weekday}>
                  <th scope="row">{formatWeekday(weekday)}</th>
                  {HOURS.map((hour) => {
                    const i = matrixIndex(weekday, hour);
                    const count = calls[i] ?? '0';
                    const title = `${formatWeekday(weekday)} ${formatHour(hour)}: ${formatInteger(count)} calls, answer rate ${formatPercent(answerRates[i])}`;
                    const href = cellHref?.(weekday, hour);
                    return (
                      <td
                        key={hour}
                        className={`heat heat-${step(plotNumber(count))}`}
                        title={title}
                        data-calls={count}
                        onClick={href && onOpen ? () => onOpen(href) : undefined}
                        style={href ? { cursor: 'pointer' } : undefined}
                      >
                        {href ? (
                          <a href={href} className="sr-only" onClick={(event) => { event.stopPropagation(); if (onOpen && event.button === 0 && !event.metaKey && !event.ctrlKey) { event.preventDefault(); onOpen(href); } }}>
                            {title}
                          </a>
                        ) : (
                          <span className="sr-only">{title}</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {busiest === 0 ? null : (
        <ul className="heatmap-legend" aria-label="Colour legend: calls per cell">
          {legend.map((item) => (
            <li key={item.step}>
              <span className={`heat heat-swatch heat-${item.step}`} aria-hidden="true" />
              {item.label}
            </li>
          ))}
        </ul>
      )}
      <figcaption className="muted">Tenant-local hour (columns, 00-23) by weekday (rows); darker means more calls.{note ? ` ${note}` : ''}</figcaption>
    </figure>
  );
}
