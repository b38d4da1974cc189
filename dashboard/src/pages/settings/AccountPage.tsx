/**
 * Account: the business's name and time zone, the analysis prompts with their
 * version, the phone that usage alerts are texted to, the usage alert
 * thresholds and the alerts sent. A new time zone rebuilds the rollups inside
 * the save itself (app_private.tg_users__timezone_changed runs
 * rebuild_rollups synchronously), so the page shows a pending state until the
 * save returns and then says the rebuild is done. Viewers see the values only.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AccountSettingsQuery } from '../../api/generated/graphql.ts';
import {
  ACCOUNT_SETTINGS, REMOVE_USAGE_ALERT_THRESHOLD, SAVE_USAGE_ALERT_THRESHOLD, SET_ALERT_PHONE, SET_ANALYSIS_PROMPTS,
  SET_BUSINESS_PROFILE,
} from '../../api/operations/settings.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { formatDateTime, formatInteger } from '../../format.ts';
import { useMutation } from '../../hooks/use-mutation.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { announceSessionChange } from '../../hooks/use-session.ts';
import { canWrite, type Session } from '../../session.ts';
import { Field, FieldError } from './settings-forms.tsx';

type AccountData = AccountSettingsQuery;
type Tenant = NonNullable<AccountData['currentTenant']>;

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

export function ProfileForm({ tenant, writable, onSaved }: { tenant: Tenant; writable: boolean; onSaved(): void }) {
  const save = useMutation(SET_BUSINESS_PROFILE);
  const [name, setName] = useState(tenant.name);
  const [timezone, setTimezone] = useState(tenant.timezone);
  const [rebuilt, setRebuilt] = useState<string | null>(null);
  const zones = useMemo(timeZones, []);
  const zoneChanging = timezone !== tenant.timezone;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setRebuilt(null);
    const changing = zoneChanging;
    const result = await save.run({ name, timezone });
    if (result?.setBusinessProfile?.result) {
      if (changing) setRebuilt(result.setBusinessProfile.result.timezone);
      announceSessionChange();
      onSaved();
    }
  }

  return (
    <form className="settings-form" aria-label="Business" onSubmit={submit} noValidate>
      <Field id="account-name" label="Business name" error={save.error} field="name">
        <input id="account-name" value={name} onChange={(e) => setName(e.target.value)} readOnly={!writable} maxLength={200} aria-describedby="account-name-error" />
      </Field>
      <Field id="account-timezone" label="Time zone" help="Start typing to search, e.g. Berlin or New_York." error={save.error} field="timezone">
        <input
          id="account-timezone"
          value={timezone}
          onChange={(e) => setTimezone(e.target.value)}
          list="time-zones"
          readOnly={!writable}
          spellCheck={false}
          autoComplete="off"
          aria-describedby="account-timezone-help account-timezone-error"
        />
        <datalist id="time-zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </Field>
      <p className="muted form-note">
        Every call counts on its day and hour in this time zone. Changing it rebuilds all of the business's rollups: the save waits until
        every call has moved to its new local day and hour, which can take a while for a large history.
      </p>
      {writable ? (
        <div className="form-actions">
          <button type="submit" disabled={save.pending}>
            Save
          </button>
          {save.pending && zoneChanging ? (
            <span className="pending-note" role="status">
              <span className="spinner" aria-hidden="true" /> Rebuilding the rollups in {timezone}… the figures update when this finishes.
            </span>
          ) : null}
          {!save.pending && rebuilt ? (
            <span className="done-note" role="status">
              Rollups rebuilt: every figure now uses {rebuilt}.
            </span>
          ) : null}
          <FieldError error={save.error} field={undefined} />
        </div>
      ) : null}
    </form>
  );
}

export function PromptsForm({ tenant, writable, onSaved }: { tenant: Tenant; writable: boolean; onSaved(): void }) {
  const save = useMutation(SET_ANALYSIS_PROMPTS);
  const [individual, setIndividual] = useState(tenant.analysisPromptIndividual ?? '');
  const [complete, setComplete] = useState(tenant.analysisPromptComplete ?? '');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await save.run({ individual, complete });
    if (result) onSaved();
  }

  return (
    <form className="settings-form stacked" aria-label="Analysis prompts" onSubmit={submit} noValidate>
      <p className="muted form-note">
        Version <strong data-testid="prompt-version">{tenant.analysisPromptVersion}</strong>: it goes up by one whenever a prompt changes,
        and each analysis records the version it used. Leave a prompt empty to use the platform's default.
      </p>
      <Field id="prompt-individual" label="Prompt for one call" error={save.error} field="analysisPromptIndividual">
        <textarea id="prompt-individual" value={individual} onChange={(e) => setIndividual(e.target.value)} readOnly={!writable} aria-describedby="prompt-individual-error" />
      </Field>
      <Field id="prompt-complete" label="Prompt for a whole contact (complete analysis)" error={save.error} field="analysisPromptComplete">
        <textarea id="prompt-complete" value={complete} onChange={(e) => setComplete(e.target.value)} readOnly={!writable} aria-describedby="prompt-complete-error" />
      </Field>
      {writable ? (
        <div className="form-actions">
          <button type="submit" disabled={save.pending}>
            Save prompts
          </button>
          <FieldError error={save.error} field={undefined} />
        </div>
      ) : null}
    </form>
  );
}

export function AlertPhoneForm({ tenant, writable, onSaved }: { tenant: Tenant; writable: boolean; onSaved(): void }) {
  const save = useMutation(SET_ALERT_PHONE);
  const [phone, setPhone] = useState(tenant.alertPhone ?? '');
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const result = await save.run({ phoneNumber: phone });
    if (result?.setAlertPhone?.result) {
      setPhone(result.setAlertPhone.result.alertPhone ?? '');
      setSaved(true);
      onSaved();
    }
  }

  return (
    <form className="settings-form" aria-label="Alert phone" onSubmit={submit} noValidate>
      <Field id="alert-phone" label="Alert phone" help="Usage alerts are texted here. Empty: no SMS." error={save.error} field="phoneNumber">
        <input
          id="alert-phone"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          readOnly={!writable}
          inputMode="tel"
          placeholder="+14155550123"
          aria-describedby="alert-phone-help alert-phone-error"
        />
      </Field>
      {writable ? (
        <div className="form-actions">
          <button type="submit" disabled={save.pending}>
            Save alert phone
          </button>
          {saved && !save.pending ? (
            <span className="done-note" role="status">
              {phone ? `Alerts will be texted to ${phone}.` : 'No SMS will be sent.'}
            </span>
          ) : null}
          <FieldError error={save.error} field={undefined} />
        </div>
      ) : null}
    </form>
  );
}

interface Threshold {
  rowId: string;
  thresholdPercent: number;
}

function ThresholdForm({ threshold, onDone, onCancel }: { threshold?: Threshold; onDone(): void; onCancel?(): void }) {
  const save = useMutation(SAVE_USAGE_ALERT_THRESHOLD);
  const [percent, setPercent] = useState(threshold ? String(threshold.thresholdPercent) : '');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const n = percent.trim() === '' ? null : Number(percent);
    const result = await save.run({ thresholdId: threshold?.rowId ?? null, thresholdPercent: n !== null && Number.isInteger(n) ? n : -1 });
    if (result) {
      setPercent('');
      onDone();
    }
  }

  return (
    <form className="inline-form" aria-label={threshold ? `Edit the ${threshold.thresholdPercent} % alert` : 'Add an alert'} onSubmit={submit} noValidate>
      <label>
        {threshold ? 'Threshold (%)' : 'New threshold (%)'}
        <input type="number" min={1} max={99} step={1} value={percent} onChange={(e) => setPercent(e.target.value)}  className="threshold-input" />
      </label>
      <button type="submit" disabled={save.pending}>
        {threshold ? 'Save' : 'Add alert'}
      </button>
      {onCancel ? (
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
      <div className="inline-form-errors">
        <FieldError error={save.error} field="thresholdPercent" />
        <FieldError error={save.error} field={undefined} />
      </div>
    </form>
  );
}

function UsageAlerts({ data, session, writable, onChanged }: { data: AccountData; session: Session; writable: boolean; onChanged(): void }) {
  const remove = useMutation(REMOVE_USAGE_ALERT_THRESHOLD);
  const [editing, setEditing] = useState<string | null>(null);
  const own: Threshold[] = (data.allUsageAlertThresholds?.nodes ?? []).filter((t): t is NonNullable<typeof t> => t !== null);
  const defaults = (data.defaultUsageAlertThresholds ?? []).filter((n): n is number => n !== null);
  const sent = (data.allUsageAlerts?.nodes ?? []).filter((a): a is NonNullable<typeof a> => a !== null);

  async function removeOne(id: string) {
    const result = await remove.run({ thresholdId: id });
    if (result) onChanged();
  }

  return (
    <>
      <p className="muted">
        An alert fires once a month per threshold, when the credit balance falls below that percentage of the month's highest balance.
        {own.length === 0 ? ` You have no thresholds of your own, so the platform's apply: ${defaults.map((n) => `${n} %`).join(', ') || 'none'}.` : ''}
      </p>
      {remove.error ? (
        <p className="form-error" role="alert">
          {remove.error.message}
        </p>
      ) : null}
      {own.length > 0 ? (
        <ul className="threshold-list" aria-label="Your alert thresholds">
          {own.map((t) => (
            <li key={t.rowId}>
              {editing === t.rowId ? (
                <ThresholdForm
                  threshold={t}
                  onDone={() => {
                    setEditing(null);
                    onChanged();
                  }}
                  onCancel={() => setEditing(null)}
                />
              ) : (
                <div className="button-row threshold-row">
                  <span>Below {t.thresholdPercent} %</span>
                  {writable ? (
                    <>
                      <button type="button" onClick={() => setEditing(t.rowId)} aria-label={`Edit the ${t.thresholdPercent} % alert`}>
                        Edit
                      </button>
                      <button type="button" onClick={() => void removeOne(t.rowId)} disabled={remove.pending} aria-label={`Remove the ${t.thresholdPercent} % alert`}>
                        Remove
                      </button>
                    </>
                  ) : null}
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {writable ? <ThresholdForm onDone={onChanged} /> : null}
      <h3 className="settings-subheading">Alerts sent</h3>
      {sent.length === 0 ? (
        <p className="muted">No usage alert has fired yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table settings-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col" className="num">Threshold</th>
                <th scope="col" className="num">Balance</th>
                <th scope="col" className="num">Month's highest</th>
                <th scope="col">SMS</th>
              </tr>
            </thead>
            <tbody>
              {sent.map((a) => (
                <tr key={a.rowId}>
                  <td data-label="When">{formatDateTime(a.createdAt, session.timeZone)}</td>
                  <td data-label="Threshold" className="num">{a.thresholdPercent} %</td>
                  <td data-label="Balance" className="num">{formatInteger(a.balance)}</td>
                  <td data-label="Highest" className="num">{formatInteger(a.referenceBalance)}</td>
                  <td data-label="SMS">{a.smsStatus === 'none' ? 'not sent (no alert phone)' : `${a.smsStatus}${a.smsTo ? ` to ${a.smsTo}` : ''}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function AccountPage({ session }: { session: Session }) {
  const writable = canWrite(session);
  const { data, loading, error, refetch } = useQuery(ACCOUNT_SETTINGS, {});
  const tenant = data?.currentTenant ?? undefined;
  // Forms start from the stored values; remount them when the stored values change.
  const [version, setVersion] = useState(0);
  useEffect(() => setVersion((v) => v + 1), [tenant?.analysisPromptVersion]);

  return (
    <div className="page">
      <h1>Account</h1>
      <StatusGate label="account" loading={loading} error={error} onRetry={refetch} empty={data !== undefined && !tenant} emptyText="No account.">
        {tenant && data ? (
          <>
            <section className="settings-section" aria-labelledby="business">
              <h2 id="business">Business</h2>
              <ProfileForm tenant={tenant} writable={writable} onSaved={refetch} />
            </section>
            <section className="settings-section" aria-labelledby="prompts">
              <h2 id="prompts">Analysis prompts</h2>
              <PromptsForm key={version} tenant={tenant} writable={writable} onSaved={refetch} />
            </section>
            <section className="settings-section" aria-labelledby="usage-alerts">
              <h2 id="usage-alerts">Usage alerts</h2>
              <AlertPhoneForm tenant={tenant} writable={writable} onSaved={refetch} />
              <UsageAlerts data={data} session={session} writable={writable} onChanged={refetch} />
            </section>
          </>
        ) : null}
      </StatusGate>
    </div>
  );
}
