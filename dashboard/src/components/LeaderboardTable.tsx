/** The agent leaderboard: sortable columns (keyboard: the header buttons), sparklines of daily calls, links to agent pages. */
import { useState, type ReactNode } from 'react';
import type { LeaderboardRow } from '../api/operations/overview.ts';
import { formatDuration, formatInteger, formatPercent } from '../format.ts';
import { sortRows, type SortDirection, type SortKey } from './leaderboard-sort.ts';
import { Sparkline } from './Sparkline.tsx';

interface Column {
  key: SortKey;
  label: string;
  numeric: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: 'rank', label: 'Rank', numeric: true },
  { key: 'name', label: 'Agent', numeric: false },
  { key: 'calls', label: 'Calls', numeric: true },
  { key: 'successRate', label: 'Success rate', numeric: true },
  { key: 'leads', label: 'Leads', numeric: true },
  { key: 'qualifiedLeads', label: 'Qualified', numeric: true },
  { key: 'conversionRate', label: 'Conversion', numeric: true },
  { key: 'averageDurationSeconds', label: 'Avg duration', numeric: true },
];

export interface LeaderboardTableProps {
  rows: ReadonlyArray<LeaderboardRow | null> | null | undefined;
  /** Highlighted row (the agent filter). */
  selectedAgentId?: string | null;
  agentHref(agentId: string): string;
  onOpenAgent(agentId: string): void;
  /** The call log of an agent's figure (drill-down); the cell's value becomes a link. */
  cellHref?(agentId: string, column: string): string;
  onOpen?(href: string): void;
}

export function LeaderboardTable({ rows, selectedAgentId, agentHref, onOpenAgent, cellHref, onOpen }: LeaderboardTableProps) {
  const [sort, setSort] = useState<{ key: SortKey; direction: SortDirection }>({ key: 'rank', direction: 'asc' });
  const present = (rows ?? []).filter((row): row is LeaderboardRow => row !== null);
  if (present.length === 0) return <div className="state state-empty" data-state="empty">No agents yet.</div>;
  const sorted = sortRows(present, sort.key, sort.direction);
  const toggle = (key: SortKey): void =>
    setSort((current) => ({ key, direction: current.key === key ? (current.direction === 'asc' ? 'desc' : 'asc') : key === 'rank' || key === 'name' ? 'asc' : 'desc' }));
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Agent leaderboard (scrolls sideways)">
      <table className="data-table leaderboard" data-testid="leaderboard">
        <caption className="sr-only">Agents ranked by qualified leads, then successful calls, then calls. Sort by a column with its header button.</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={column.numeric ? 'num' : undefined}
                aria-sort={sort.key === column.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
              >
                <button type="button" className="sort-button" onClick={() => toggle(column.key)}>
                  {column.label}
                  <span aria-hidden="true">{sort.key === column.key ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th scope="col">Daily calls</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const id = row.agentId ?? '';
            const f = row.figures;
            const drill = (column: string, text: string): ReactNode => {
              const href = cellHref?.(id, column);
              if (!href) return text;
              return (
                <a href={href} onClick={(event) => { if (!onOpen || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return; event.preventDefault(); onOpen(href); }}>
                  {text}
                </a>
              );
            };
            return (
              <tr key={id} data-agent-id={id} className={id === selectedAgentId ? 'selected' : undefined}>
                <td className="num" data-col="rank">{row.rank ?? '—'}</td>
                <td data-col="name">
                  <a
                    href={agentHref(id)}
                    onClick={(event) => {
                      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                      event.preventDefault();
                      onOpenAgent(id);
                    }}
                  >
                    {row.name}
                  </a>
                  {row.isActive === false ? <span className="badge badge-muted">inactive</span> : null}
                </td>
                <td className="num" data-col="calls" data-value={f?.calls ?? ''}>{drill('calls', formatInteger(f?.calls))}</td>
                <td className="num" data-col="successRate" data-value={f?.successRate ?? ''}>{drill('successRate', formatPercent(f?.successRate))}</td>
                <td className="num" data-col="leads" data-value={f?.leads ?? ''}>{drill('leads', formatInteger(f?.leads))}</td>
                <td className="num" data-col="qualifiedLeads" data-value={f?.qualifiedLeads ?? ''}>{drill('qualifiedLeads', formatInteger(f?.qualifiedLeads))}</td>
                <td className="num" data-col="conversionRate" data-value={f?.conversionRate ?? ''}>{drill('conversionRate', formatPercent(f?.conversionRate))}</td>
                <td className="num" data-col="averageDurationSeconds" data-value={f?.averageDurationSeconds ?? ''}>{drill('averageDurationSeconds', formatDuration(f?.averageDurationSeconds))}</td>
                <td>
                  <Sparkline values={row.dailyCalls} label={`Daily calls of ${row.name ?? 'the agent'}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
