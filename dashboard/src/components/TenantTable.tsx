/** Platform operators: one row per tenant from the materialized KPI summary. */
import type { TenantSummaryRow } from '../api/operations/admin.ts';
import { formatDateTime, formatDay, formatInteger, formatPercent } from '../format.ts';

/** `timeZone`: the viewer's (one clock for every row). `onView`: open that business's overview read-only. */
export function TenantTable({ rows, timeZone, onView }: { rows: readonly TenantSummaryRow[]; timeZone: string; onView?: (row: TenantSummaryRow) => void }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Tenants (scrolls sideways)">
      <table className="data-table" data-testid="tenants">
        <caption className="sr-only">Every tenant's KPIs over the last 30 days (materialized summary)</caption>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col" className="num">Agents</th>
            <th scope="col" className="num">Calls 7 d</th>
            <th scope="col" className="num">Calls 30 d</th>
            <th scope="col" className="num">Answer rate</th>
            <th scope="col" className="num">Success rate</th>
            <th scope="col" className="num">Leads</th>
            <th scope="col" className="num">Hot</th>
            <th scope="col" className="num">Conversion</th>
            <th scope="col" className="num">Credits 30 d</th>
            <th scope="col">Last call day</th>
            <th scope="col">Refreshed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.userId} data-tenant-id={row.userId}>
              <th scope="row">
                {onView ? (
                  <button type="button" className="link-button" onClick={() => onView(row)} aria-label={`View ${row.user?.name ?? row.userId} read-only`}>
                    {row.user?.name ?? row.userId}
                  </button>
                ) : (
                  (row.user?.name ?? row.userId)
                )}
                {row.user ? <div className="muted small">{row.user.email}</div> : null}
              </th>
              <td className="num">
                {formatInteger(row.activeAgents)} / {formatInteger(row.totalAgents)}
              </td>
              <td className="num" data-col="calls7D" data-value={row.calls7D ?? ''}>{formatInteger(row.calls7D)}</td>
              <td className="num" data-col="calls30D" data-value={row.calls30D ?? ''}>{formatInteger(row.calls30D)}</td>
              <td className="num">{formatPercent(row.answerRate30D)}</td>
              <td className="num">{formatPercent(row.successRate30D)}</td>
              <td className="num">{formatInteger(row.leads30D)}</td>
              <td className="num">{formatInteger(row.hotLeads30D)}</td>
              <td className="num">{formatPercent(row.conversionRate30D)}</td>
              <td className="num">{formatInteger(row.creditsUsed30D)}</td>
              <td>{formatDay(row.lastCallDay, { year: true })}</td>
              <td>{formatDateTime(row.refreshedAt, timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
