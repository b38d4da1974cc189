/** Platform operators: every tenant's KPI summary (the API refuses non-admins: RLS shows only their own row). */
import type { TenantSummaryRow } from '../api/operations/admin.ts';
import { CsvButton } from '../components/CsvButton.tsx';
import { Freshness } from '../components/Freshness.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { TenantTable } from '../components/TenantTable.tsx';
import { useAdminSummaries } from '../hooks/use-admin-summaries.ts';
import type { Session } from '../session.ts';

const HEADER = ['user_id', 'tenant', 'email', 'calls_7d', 'calls_30d', 'answer_rate_30d', 'success_rate_30d', 'leads_30d', 'hot_leads_30d', 'conversion_rate_30d', 'credits_used_30d', 'refreshed_at'];

export function AdminPage({ session }: { session: Session }) {
  const { data, loading, error, refetch, receivedAt } = useAdminSummaries();
  const rows = (data?.allTenantKpiSummaries?.nodes ?? []).filter((row): row is TenantSummaryRow => row !== null);
  return (
    <div className="page" data-page="admin">
      <div className="page-head">
        <div>
          <h1>All tenants</h1>
          <p className="muted">Last 7 and 30 days per tenant from the materialized KPI summary (refreshed every few minutes).</p>
          <Freshness receivedAt={receivedAt} timeZone={session.timeZone} />
        </div>
        <CsvButton
          filename="tenants.csv"
          header={HEADER}
          rows={() => rows.map((r) => [r.userId, r.user?.name, r.user?.email, r.calls7D, r.calls30D, r.answerRate30D, r.successRate30D, r.leads30D, r.hotLeads30D, r.conversionRate30D, r.creditsUsed30D, r.refreshedAt])}
        />
      </div>
      <StatusGate label="tenant summaries" loading={loading} error={error} onRetry={refetch} empty={rows.length === 0} emptyText="No tenants yet.">
        <section className="panel">
          <TenantTable rows={rows} timeZone={session.timeZone} />
        </section>
      </StatusGate>
    </div>
  );
}
