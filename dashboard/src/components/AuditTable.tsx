/** The audit trail as a table: when, who, where from, what, and each changed field's old -> new value. */
import type { AuditEntryRow, AuditValues } from '../api/operations/audit.ts';
import { formatDateTime, formatLabel } from '../format.ts';

/** What the tables are to the business (the API names them by table). */
export const AUDITED_TABLES: ReadonlyArray<{ value: string; label: string; one: string }> = [
  { value: 'users', label: 'Settings', one: 'Settings' },
  { value: 'agents', label: 'Agents', one: 'Agent' },
  { value: 'phone_numbers', label: 'Phone numbers', one: 'Phone number' },
  { value: 'agent_targets', label: 'Targets', one: 'Target' },
  { value: 'api_keys', label: 'API keys', one: 'API key' },
  { value: 'provider_credentials', label: 'Provider credentials', one: 'Provider credentials' },
  { value: 'tenant_retention', label: 'Data retention', one: 'Retention setting' },
];

export const AUDIT_ACTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'insert', label: 'Created' },
  { value: 'update', label: 'Changed' },
  { value: 'delete', label: 'Deleted' },
];

const ACTORS: Record<string, string> = {
  user: 'Account user',
  api_key: 'API key',
  admin: 'Platform admin',
  anonymous: 'Sign-up',
  system: 'System',
};

const EMPTY = '—';

/** Column names that read badly as words (secrets are stored as hashes or ciphertext). */
const FIELDS: Record<string, string> = {
  bolna_token_hash: 'Bolna webhook token',
  bolna_token_prefix: 'Bolna token prefix',
  bolna_signing_secret_enc: 'Bolna signing secret',
  twilio_account_sid: 'Twilio account SID',
  twilio_auth_token_enc: 'Twilio auth token',
  analysis_prompt_individual: 'Call analysis prompt',
  analysis_prompt_complete: 'Contact analysis prompt',
  timezone: 'Time zone',
};

function fieldLabel(field: string): string {
  return FIELDS[field] || formatLabel(field);
}
const MAX_VALUE_CHARS = 80;

function tableLabel(table: string | null): string {
  return AUDITED_TABLES.find((t) => t.value === table)?.one ?? formatLabel(table);
}

function actionLabel(action: string | null): string {
  return AUDIT_ACTIONS.find((a) => a.value === action)?.label ?? formatLabel(action);
}

/** A stored value as text: null as a dash, strings as they are, anything else as JSON. */
export function formatAuditValue(value: unknown): string {
  if (value === null || value === undefined) return EMPTY;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

export interface AuditChange {
  field: string;
  before: string | null;
  after: string | null;
}

/**
 * The fields of an entry with their old and new values (null: that side does not exist). A created
 * or deleted row lists only the fields that had a value.
 */
export function auditChanges(oldValues: AuditValues | null, newValues: AuditValues | null): AuditChange[] {
  const both = oldValues !== null && newValues !== null;
  const fields = [...new Set([...Object.keys(oldValues ?? {}), ...Object.keys(newValues ?? {})])]
    .filter((field) => both || (oldValues ?? newValues ?? {})[field] !== null)
    .sort();
  return fields.map((field) => ({
    field,
    before: oldValues ? formatAuditValue(oldValues[field]) : null,
    after: newValues ? formatAuditValue(newValues[field]) : null,
  }));
}

function Changes({ row }: { row: AuditEntryRow }) {
  const changes = auditChanges(row.oldValues, row.newValues);
  if (changes.length === 0) return <span className="muted">{row.details && Object.keys(row.details).length > 0 ? formatAuditValue(row.details) : EMPTY}</span>;
  return (
    <ul className="audit-changes">
      {changes.map((c) => (
        <li key={c.field} data-field={c.field}>
          <span className="audit-field">{fieldLabel(c.field)}</span>{' '}
          {c.before !== null ? <span className="audit-old">{c.before}</span> : null}
          {c.before !== null && c.after !== null ? <span aria-label="changed to"> → </span> : null}
          {c.after !== null ? <span className="audit-new">{c.after}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** `timeZone`: the viewer's (one clock for every row); `showTenant`: platform admins see every tenant's entries. */
export function AuditTable({ rows, timeZone, showTenant }: { rows: readonly AuditEntryRow[]; timeZone: string; showTenant: boolean }) {
  return (
    <div className="table-scroll">
      <table className="data-table audit-table" data-testid="audit-entries">
        <caption className="sr-only">Changes to this account, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Where from</th>
            <th scope="col">What</th>
            <th scope="col">Old → new</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.rowId} data-entry-id={row.rowId} data-action={row.action ?? ''} data-table={row.tableName ?? ''}>
              <td className="audit-when" data-label="When" title={row.createdAt}>{formatDateTime(row.createdAt, timeZone)}</td>
              <td data-label="Who">
                {ACTORS[row.actor ?? ''] ?? formatLabel(row.actor)}
                {showTenant && row.userId ? <div className="muted small" title={row.userId}>Tenant {row.userId.slice(-8)}</div> : null}
              </td>
              <td data-label="From">
                <span data-col="ip">{row.ipAddress ?? EMPTY}</span>
                {row.userAgent ? (
                  <div className="muted small audit-agent" title={row.userAgent} data-col="user-agent">
                    {row.userAgent}
                  </div>
                ) : null}
              </td>
              <td data-label="What">
                <strong>{actionLabel(row.action)}</strong> {tableLabel(row.tableName)}
                {row.recordId ? <div className="muted small" title={row.recordId}>#{row.recordId.slice(-8)}</div> : null}
              </td>
              <td data-label="Old → new">
                <Changes row={row} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
