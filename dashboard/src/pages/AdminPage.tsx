/**
 * Platform operators: every business's KPI summary (adminTenantSummaries;
 * PostgreSQL refuses everyone else, and the page says so). A business's name
 * opens its overview read-only: startTenantView records the view in that
 * business's audit log, then every request runs as the business in a
 * read-only transaction until "Stop viewing" (see api/tenant-view.ts).
 */
import { useState } from 'react';
import type { TenantSummaryRow } from '../api/operations/admin.ts';
import { START_TENANT_VIEW } from '../api/operations/onboarding.ts';
import { writeTenantView } from '../api/tenant-view.ts';
import { CsvButton } from '../components/CsvButton.tsx';
import { Freshness } from '../components/Freshness.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { TenantTable } from '../components/TenantTable.tsx';
import { useAdminSummaries } from '../hooks/use-admin-summaries.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { navigate } from '../router.ts';
import type { Session } from '../session.ts';

const HEADER = ['user_id', 'tenant', 'email', 'calls_7d', 'calls_30d', 'answer_rate_30d', 'success_rate_30d', 'leads_30d', 'hot_leads_30d', 'conversion_rate_30d', 'credits_used_30d', 'refreshed_at'];

export function AdminPage({ session }: { session: Session }) {
  const { data, loading, error, refetch, receivedAt } = useAdminSummaries();
  const startView = useMutation(START_TENANT_VIEW);
  const [opening, setOpening] = useState<string | null>(null);
  const rows = (data?.adminTenantSummaries?.nodes ?? []).filter((row): row is TenantSummaryRow => row !== null);

  if (error?.code === 'FORBIDDEN') {
    return (
      <div className="page" data-page="admin">
        <h1>Admin</h1>
        <div className="state state-error" role="alert" data-testid="admin-refused">
          <p>{error.message}</p>
          <p className="muted">This page is for platform operators. <a href="/">Back to your overview</a></p>
        </div>
      </div>
    );
  }

  const view = async (row: TenantSummaryRow): Promise<void> => {
    setOpening(row.userId);
    const result = await startView.run({ tenantId: row.userId });
    setOpening(null);
    const tenant = result?.startTenantView?.result;
    if (tenant) {
      writeTenantView({ id: tenant.rowId, name: tenant.name });
      navigate('/');
    }
  };

  return (
    <div className="page" data-page="admin">
      <div className="page-head">
        <div>
          <h1>All businesses</h1>
          <p className="muted">
            Last 7 and 30 days per business from the materialized KPI summary (refreshed every few minutes). Open a business to see its overview read-only; each view is recorded in
            that business's audit log.
          </p>
          <Freshness receivedAt={receivedAt} timeZone={session.timeZone} />
        </div>
        <CsvButton
          filename="tenants.csv"
          header={HEADER}
          rows={() => rows.map((r) => [r.userId, r.user?.name, r.user?.email, r.calls7D, r.calls30D, r.answerRate30D, r.successRate30D, r.leads30D, r.hotLeads30D, r.conversionRate30D, r.creditsUsed30D, r.refreshedAt])}
        />
      </div>
      {startView.error ? (
        <p className="state-error" role="alert">
          {startView.error.message}
        </p>
      ) : null}
      {opening ? <p role="status" className="muted">Opening the business…</p> : null}
      <StatusGate label="business summaries" loading={loading} error={error} onRetry={refetch} empty={rows.length === 0} emptyText="No businesses yet.">
        <section className="panel">
          <TenantTable rows={rows} timeZone={session.timeZone} onView={(row) => void view(row)} />
        </section>
      </StatusGate>
    </div>
  );
}
