/**
 * The audit log: every change to the account's settings, agents, numbers, targets, API keys,
 * provider credentials and retention, newest first, paged; filters and page in the URL.
 */
import { AUDIT_PAGE_SIZE, type AuditEntryRow } from '../api/operations/audit.ts';
import { AUDIT_ACTIONS, AUDITED_TABLES, AuditTable } from '../components/AuditTable.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { formatInteger } from '../format.ts';
import { useAuditEntries } from '../hooks/use-audit-entries.ts';
import { navigate, useLocation } from '../router.ts';
import type { Session } from '../session.ts';

function oneOf(value: string | null, options: ReadonlyArray<{ value: string }>): string | null {
  return value && options.some((o) => o.value === value) ? value : null;
}

function go(search: URLSearchParams, changes: Record<string, string | null>): void {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value) next.set(key, value);
    else next.delete(key);
  }
  const query = next.toString();
  navigate(query ? `/audit?${query}` : '/audit');
}

export function AuditPage({ session }: { session: Session }) {
  const { search } = useLocation();
  const table = oneOf(search.get('table'), AUDITED_TABLES);
  const action = oneOf(search.get('action'), AUDIT_ACTIONS);
  const page = Math.max(1, Math.floor(Number(search.get('page')) || 1));
  const { data, loading, error, refetch } = useAuditEntries({ first: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE, action, tableName: table });
  const rows = (data?.auditEntries?.nodes ?? []).filter((row): row is AuditEntryRow => row !== null);
  const total = data?.auditEntries?.totalCount ?? 0;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const first = (page - 1) * AUDIT_PAGE_SIZE + 1;

  return (
    <div className="page" data-page="audit">
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">
            Who changed what in this account, when and from where. Secrets (tokens, signing secrets, Twilio auth tokens) show only that they
            changed.
          </p>
        </div>
        <div className="controls">
          <label className="agent-filter">
            What
            <select value={table ?? ''} onChange={(e) => go(search, { table: e.target.value || null, page: null })}>
              <option value="">Everything</option>
              {AUDITED_TABLES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <label className="agent-filter">
            Action
            <select value={action ?? ''} onChange={(e) => go(search, { action: e.target.value || null, page: null })}>
              <option value="">Any</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <StatusGate label="audit log" loading={loading} error={error} onRetry={refetch} empty={rows.length === 0} emptyText="No changes recorded yet.">
        <section className="panel">
          <AuditTable rows={rows} timeZone={session.timeZone} showTenant={session.isAdmin} />
          <nav className="pager" aria-label="Audit log pages">
            <button type="button" disabled={page <= 1} onClick={() => go(search, { page: page - 1 > 1 ? String(page - 1) : null })}>
              Newer
            </button>
            <span className="muted small" data-testid="audit-range">
              {formatInteger(first)}–{formatInteger(first + rows.length - 1)} of {formatInteger(total)}
            </span>
            <button type="button" disabled={page >= pages} onClick={() => go(search, { page: String(page + 1) })}>
              Older
            </button>
          </nav>
        </section>
      </StatusGate>
    </div>
  );
}
