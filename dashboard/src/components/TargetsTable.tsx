/** Targets vs actuals for the agent (targets whose period overlaps the range; achievement computed by the API). */
import type { TargetItem } from '../api/operations/agent-overview.ts';
import { formatDay, formatInteger, formatLabel, formatPercent } from '../format.ts';

function pair(actual: string | null, target: number | null): string {
  return target === null ? formatInteger(actual) : `${formatInteger(actual)} / ${formatInteger(target)}`;
}

export function TargetsTable({ targets }: { targets: ReadonlyArray<TargetItem | null> | null | undefined }) {
  const rows = (targets ?? []).filter((t): t is TargetItem => t !== null);
  if (rows.length === 0) return <div className="state state-empty" data-state="empty">No targets set for this period.</div>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Targets versus actuals (scrolls sideways)">
      <table className="data-table" data-testid="targets">
        <caption className="sr-only">Targets versus actuals (actual / target)</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col" className="num">Calls</th>
            <th scope="col" className="num">Achieved</th>
            <th scope="col" className="num">Successful</th>
            <th scope="col" className="num">Leads</th>
            <th scope="col" className="num">Qualified</th>
            <th scope="col" className="num">Achieved</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.targetId ?? `${t.periodType}-${t.periodStart}`}>
              <th scope="row">
                {formatLabel(t.periodType)} from {formatDay(t.periodStart)}
              </th>
              <td className="num">{pair(t.actualCalls, t.targetCalls)}</td>
              <td className="num">{formatPercent(t.callsAchievement, 0)}</td>
              <td className="num">{pair(t.actualSuccessfulCalls, t.targetSuccessfulCalls)}</td>
              <td className="num">{pair(t.actualLeads, t.targetLeads)}</td>
              <td className="num">{pair(t.actualQualifiedLeads, t.targetQualifiedLeads)}</td>
              <td className="num">{formatPercent(t.qualifiedLeadsAchievement, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
