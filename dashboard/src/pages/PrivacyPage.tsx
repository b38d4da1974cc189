/**
 * Data & privacy: export all of the business's data (built in the background,
 * progress shown while it runs, then downloaded), erase one caller after a
 * confirmation that names what goes, choose how long each data type is kept
 * (within the platform's limits, enforced by the database), and erase the
 * whole business. Every figure and limit comes from the API.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { downloadExport } from '../api/download.ts';
import type { PrivacyRequestRow, RetentionSettingRow } from '../api/operations/privacy.ts';
import { writeToken } from '../api/token.ts';
import { StatusGate } from '../components/StatusGate.tsx';
import { formatBytes, formatDateTime, formatInteger, formatLabel, formatPercent } from '../format.ts';
import { useCallerPreview } from '../hooks/use-caller-preview.ts';
import { useEraseBusiness } from '../hooks/use-erase-business.ts';
import { useEraseContact } from '../hooks/use-erase-contact.ts';
import { usePrivacy } from '../hooks/use-privacy.ts';
import { useRequestExport } from '../hooks/use-request-export.ts';
import { useSetRetention } from '../hooks/use-set-retention.ts';
import type { Session } from '../session.ts';

const E164 = /^\+[1-9][0-9]{6,14}$/;

function ErrorText({ error }: { error: ApiError | undefined }) {
  return error ? (
    <p className="form-error" role="alert">
      {error.message}
    </p>
  ) : null;
}

function plural(n: number, one: string, many: string): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/** What an erasure's counts are called (keys of privacy_requests.details). */
const REMOVED: Record<string, [string, string]> = {
  calls: ['call', 'calls'],
  transcripts: ['transcript', 'transcripts'],
  individual_analyses: ['call analysis', 'call analyses'],
  complete_analyses: ['lead summary', 'lead summaries'],
  follow_ups: ['follow-up', 'follow-ups'],
  customers: ['customer record', 'customer records'],
  contacts: ['contact', 'contacts'],
  webhook_events: ['provider delivery', 'provider deliveries'],
  credit_transactions_unlinked: ['ledger entry unlinked', 'ledger entries unlinked'],
  export_archives_expired: ['export archive expired', 'export archives expired'],
};

function describeRemoved(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => {
      const [one, many] = REMOVED[key] ?? [formatLabel(key).toLowerCase(), formatLabel(key).toLowerCase()];
      return plural(n, one, many);
    })
    .join(', ');
}

function rowsOf(request: { kind: string; details: unknown }): Record<string, number> {
  const { details } = request;
  const source = request.kind === 'export' && typeof details === 'object' && details !== null && 'rows' in details ? details.rows : details;
  if (typeof source !== 'object' || source === null) return {};
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

function ExportsPanel({ requests, timeZone, onChanged }: { requests: PrivacyRequestRow[]; timeZone: string; onChanged(): void }) {
  const start = useRequestExport();
  const [downloadError, setDownloadError] = useState<ApiError | undefined>();
  const [downloading, setDownloading] = useState<string | null>(null);
  const exports = requests.filter((r) => r.kind === 'export');
  const busy = exports.some((r) => r.status === 'pending' || r.status === 'running');
  const download = async (id: string) => {
    setDownloading(id);
    setDownloadError(undefined);
    try {
      await downloadExport(id);
    } catch (error) {
      setDownloadError(error instanceof ApiError ? error : new ApiError('The download failed.', 'UNKNOWN'));
    } finally {
      setDownloading(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="export-title" data-testid="exports">
      <div className="panel-head">
        <h2 id="export-title">Export your data</h2>
        <button
          type="button"
          className="primary"
          disabled={busy || start.pending}
          onClick={async () => {
            if (await start.run({})) onChanged();
          }}
        >
          {busy ? 'Export in progress…' : 'Request an export'}
        </button>
      </div>
      <p className="muted small">
        One archive (.tar.gz) with a JSON-lines file per table — account, agents, numbers, contacts, calls, transcripts, analyses,
        follow-ups, customers, targets, credits, alerts, API key names — and a manifest with row counts and checksums. Built in the
        background; kept for 7 days. Passwords and API key secrets are never exported.
      </p>
      <ErrorText error={start.error ?? downloadError} />
      {exports.length === 0 ? (
        <p className="muted">No exports yet.</p>
      ) : (
        <ul className="request-list">
          {exports.map((r) => (
            <li key={r.rowId} className="request-item" data-status={r.status}>
              <div className="request-main">
                <span>{formatDateTime(r.createdAt, timeZone)}</span>
                <span className={`badge badge-${r.status}`}>{formatLabel(r.status)}</span>
                {r.status === 'completed' ? <span className="muted small">{formatBytes(r.archiveBytes)} · until {formatDateTime(r.expiresAt, timeZone)}</span> : null}
                {r.status === 'failed' ? <span className="form-error small">{r.error}</span> : null}
              </div>
              {r.status === 'pending' || r.status === 'running' ? (
                <div className="request-progress">
                  <progress max={1} value={Number(r.progress)} aria-label="Export progress" />
                  <span className="small">{formatPercent(r.progress, 0)}</span>
                </div>
              ) : null}
              {r.status === 'completed' ? (
                <button type="button" onClick={() => void download(r.rowId)} disabled={downloading === r.rowId}>
                  {downloading === r.rowId ? 'Downloading…' : 'Download'}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}


function EraseCallerPanel({ onChanged }: { onChanged(): void }) {
  const [input, setInput] = useState('');
  const [reviewing, setReviewing] = useState<string | null>(null);
  const [done, setDone] = useState<Record<string, number> | null>(null);
  const preview = useCallerPreview(reviewing);
  const erase = useEraseContact();
  const valid = E164.test(input.trim());
  const review = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    setDone(null);
    setReviewing(input.trim());
  };
  const p = preview.data;
  const contact = p?.allContacts?.nodes[0] ?? null;
  const calls = p?.allCalls?.totalCount ?? 0;
  const followUps = p?.allFollowUps?.totalCount ?? 0;
  const analyses = p?.allLeadAnalytics?.totalCount ?? 0;
  const nothing = p !== undefined && !contact && calls === 0 && followUps === 0 && analyses === 0;
  return (
    <section className="panel" aria-labelledby="erase-title" data-testid="erase-caller">
      <h2 id="erase-title">Erase a caller</h2>
      <p className="muted small">
        Removes everything about one phone number. Their calls stop counting in your figures; credit ledger entries keep their amounts.
        The request is logged without the number.
      </p>
      <form className="inline-form" onSubmit={review}>
        <label>
          Phone number
          <input
            type="tel"
            inputMode="tel"
            placeholder="+14155550100"
            value={input}
            onChange={(event) => {
              setInput(event.target.value);
              setReviewing(null);
            }}
            aria-invalid={input !== '' && !valid}
          />
        </label>
        <button type="submit" disabled={!valid}>
          Review
        </button>
      </form>
      {input !== '' && !valid ? <p className="muted small">Use the international form: + then the country code and number.</p> : null}
      {reviewing ? (
        <StatusGate label="caller" loading={preview.loading} error={preview.error}>
          {nothing ? (
            <p>No caller with {reviewing}.</p>
          ) : (
            <div className="confirm-box" role="group" aria-label="Confirm erasure" data-testid="erase-confirm">
              <p>
                <strong>Permanently erase {reviewing}{contact?.name ? ` (${contact.name})` : ''}?</strong> This removes:
              </p>
              <ul>
                <li>{plural(calls, 'call', 'calls')} with their transcripts, recording links and analyses</li>
                <li>{contact ? `the contact${contact.name ? ` “${contact.name}”` : ''}` : 'no contact'}{contact?.isCustomer ? ' and its customer record' : ''}</li>
                <li>{plural(followUps, 'follow-up', 'follow-ups')} and {plural(analyses, 'lead summary', 'lead summaries')}</li>
                <li>any customer record with this number, and raw provider deliveries that carry it</li>
              </ul>
              <p className="small muted">This cannot be undone. Export your data first if you may need it.</p>
              <div className="button-row">
                <button
                  type="button"
                  className="danger"
                  disabled={erase.pending}
                  onClick={async () => {
                    const result = await erase.run({ phoneNumber: reviewing });
                    const request = result?.eraseContact?.result;
                    if (request) {
                      setDone(rowsOf(request));
                      setReviewing(null);
                      setInput('');
                      onChanged();
                    }
                  }}
                >
                  {erase.pending ? 'Erasing…' : 'Erase permanently'}
                </button>
                <button type="button" onClick={() => setReviewing(null)}>
                  Cancel
                </button>
              </div>
              <ErrorText error={erase.error} />
            </div>
          )}
        </StatusGate>
      ) : null}
      {done ? (
        <p role="status" data-testid="erase-done">
          Erased: {describeRemoved(done) || 'nothing left to remove'}.
        </p>
      ) : null}
    </section>
  );
}

function RetentionRow({ setting, onChanged }: { setting: RetentionSettingRow; onChanged(): void }) {
  const [value, setValue] = useState(String(setting.retainDays ?? ''));
  const save = useSetRetention();
  const days = Number(value);
  const inRange =
    Number.isInteger(days) && days >= (setting.minDays ?? 1) && (setting.maxDays === null || days <= setting.maxDays);
  const id = `retention-${setting.dataType}`;
  return (
    <tr>
      <th scope="row">
        <label htmlFor={id}>{formatLabel(setting.dataType)}</label>
        <div className="muted small retention-description">{setting.description}</div>
      </th>
      <td>
        <input
          id={id}
          type="number"
          min={setting.minDays ?? 1}
          max={setting.maxDays ?? undefined}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          className="days-input"
        />{' '}
        days
        <div className="muted small">
          {formatInteger(setting.minDays)}–{formatInteger(setting.maxDays)} days; default {formatInteger(setting.defaultDays)}
          {setting.isOverride ? '' : ' (in use)'}
        </div>
        <ErrorText error={save.error} />
      </td>
      <td className="button-cell">
        <button
          type="button"
          disabled={save.pending || String(setting.retainDays) === value}
          title={inRange ? undefined : 'Outside the allowed range: the server will refuse it'}
          onClick={async () => {
            if (await save.run({ dataType: setting.dataType, retainDays: Number.isFinite(days) ? days : null })) onChanged();
          }}
        >
          Save
        </button>
        {setting.isOverride ? (
          <button
            type="button"
            className="link-button"
            disabled={save.pending}
            onClick={async () => {
              const result = await save.run({ dataType: setting.dataType, retainDays: null });
              if (result) {
                setValue(String(result.setRetention?.result?.retainDays ?? ''));
                onChanged();
              }
            }}
          >
            Use default
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function RetentionPanel({ settings, onChanged }: { settings: RetentionSettingRow[]; onChanged(): void }) {
  return (
    <section className="panel" aria-labelledby="retention-title" data-testid="retention">
      <h2 id="retention-title">How long we keep your data</h2>
      <p className="muted small">Older data is removed every night. Your figures keep counting removed calls.</p>
      <div className="table-scroll">
        <table className="data-table retention-table">
          <tbody>
            {settings.map((s) => (
              <RetentionRow key={`${s.dataType}:${s.retainDays}`} setting={s} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function HistoryPanel({ requests, timeZone }: { requests: PrivacyRequestRow[]; timeZone: string }) {
  const erasures = requests.filter((r) => r.kind !== 'export');
  if (erasures.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">Erasures</h2>
      <ul className="request-list">
        {erasures.map((r) => (
          <li key={r.rowId} className="request-item">
            <span>{formatDateTime(r.createdAt, timeZone)}</span>
            <span className="muted small">{describeRemoved(rowsOf(r))}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function EraseBusinessPanel({ email }: { email: string }) {
  const [typed, setTyped] = useState('');
  const erase = useEraseBusiness();
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  return (
    <section className="panel danger-zone" aria-labelledby="business-title">
      <h2 id="business-title">Erase the whole business</h2>
      <p className="small">
        Deletes every agent, number, contact, call, transcript, analysis, follow-up, customer, credit entry and setting, then this login.
        Type <strong>{email}</strong> to confirm.
      </p>
      <form
        className="inline-form"
        onSubmit={async (event) => {
          event.preventDefault();
          if (!matches) return;
          if (await erase.run({ confirmEmail: typed.trim() })) writeToken(null);
        }}
      >
        <label>
          Account email
          <input type="email" value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </label>
        <button type="submit" className="danger" disabled={!matches || erase.pending}>
          Erase everything
        </button>
      </form>
      <ErrorText error={erase.error} />
    </section>
  );
}

export function PrivacyPage({ session }: { session: Session }) {
  const [watching, setWatching] = useState(false);
  const { data, loading, error, refetch } = usePrivacy(watching);
  const requests = (data?.allPrivacyRequests?.nodes ?? []).filter((r): r is PrivacyRequestRow => r !== null);
  const settings = (data?.retentionSettings ?? []).filter((s): s is RetentionSettingRow => s !== null);
  const running = requests.some((r) => r.kind === 'export' && (r.status === 'pending' || r.status === 'running'));
  if (running !== watching) setWatching(running);
  return (
    <div className="page" data-page="privacy">
      <div className="page-head">
        <div>
          <h1>Data &amp; privacy</h1>
          <p className="muted">Export your data, erase a caller, and choose how long data is kept.</p>
        </div>
      </div>
      <StatusGate label="privacy settings" loading={loading} error={error} onRetry={refetch}>
        <div className="grid-2 privacy-grid">
          <div>
            <ExportsPanel requests={requests} timeZone={session.timeZone} onChanged={() => { setWatching(true); refetch(); }} />
            <EraseCallerPanel onChanged={refetch} />
          </div>
          <div>
            <RetentionPanel settings={settings} onChanged={refetch} />
            <HistoryPanel requests={requests} timeZone={session.timeZone} />
            {data?.currentTenant ? <EraseBusinessPanel email={data.currentTenant.email} /> : null}
          </div>
        </div>
      </StatusGate>
    </div>
  );
}
