/**
 * Targets: per agent, metric and period (a day, a week from Monday, a month),
 * each shown with its achievement and its pacing. Pacing comes from SQL
 * (app_public.target_pacing): the share of the period elapsed in the
 * business's time zone, the figure expected by now (target x that share) and
 * the actual so far. Viewers see the list only.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client.ts';
import { SET_AGENT_TARGET, TARGETS_SETTINGS } from '../../api/operations/settings.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { todayIn } from '../../dates.ts';
import { formatDay, formatInteger, formatPercent } from '../../format.ts';
import { useMutation } from '../../hooks/use-mutation.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { canWrite, type Session } from '../../session.ts';
import { Field, FieldError } from './settings-forms.tsx';

const METRICS: ReadonlyArray<{ value: string; label: string; rate: boolean }> = [
  { value: 'calls', label: 'Calls', rate: false },
  { value: 'successful_calls', label: 'Successful calls', rate: false },
  { value: 'leads', label: 'Leads', rate: false },
  { value: 'qualified_leads', label: 'Qualified leads', rate: false },
  { value: 'success_rate', label: 'Success rate', rate: true },
  { value: 'conversion_rate', label: 'Conversion rate', rate: true },
];

const PERIODS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week (Monday to Sunday)' },
  { value: 'month', label: 'Month' },
];

function metricOf(value: string | null | undefined) {
  return METRICS.find((m) => m.value === value);
}

function periodLabel(type: string | null | undefined, start: string | null | undefined): string {
  if (!start) return '';
  if (type === 'week') return `Week of ${formatDay(start, { year: true })}`;
  if (type === 'month') {
    const [y = 0, m = 1] = start.split('-').map(Number);
    return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, 1)));
  }
  return formatDay(start, { year: true });
}

/** A figure of a metric: counts as integers (expected may have decimals), rates as percentages. */
function figure(metric: string | null | undefined, value: string | null | undefined, decimals = false): string {
  if (metricOf(metric)?.rate) return formatPercent(value ?? null);
  if (decimals && value != null) return new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(Number(value));
  return formatInteger(value ?? null);
}

/** Percent typed by a person ("25") -> the fraction the API stores ("0.25"; it keeps 4 decimals). */
function percentToFraction(text: string): string {
  const n = Number(text);
  return Number.isFinite(n) ? String(n / 100) : text;
}

interface PacingRow {
  targetId: string | null;
  agentId: string | null;
  agentName: string | null;
  periodType: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  metric: string | null;
  target: string | null;
  actual: string | null;
  achievement: string | null;
  elapsedShare: string | null;
  expectedSoFar: string | null;
  pace: string | null;
}

interface Draft {
  agentId: string;
  metric: string;
  periodType: string;
  periodStart: string;
  value: string;
}

function Pace({ row }: { row: PacingRow }) {
  const rate = metricOf(row.metric)?.rate ?? false;
  if (rate) {
    const ok = row.achievement != null && Number(row.achievement) >= 1;
    return <span className={`status-pill ${ok ? 'ok' : 'behind'}`}>{row.actual == null ? 'No calls yet' : ok ? 'On target' : 'Below target'}</span>;
  }
  if (row.pace == null) return <span className="status-pill">Not started</span>;
  const ok = Number(row.pace) >= 1;
  return (
    <span className={`status-pill ${ok ? 'ok' : 'behind'}`}>
      {ok ? 'On pace' : 'Behind'} ({formatPercent(row.pace, 0)} of pace)
    </span>
  );
}

function PaceBar({ row }: { row: PacingRow }) {
  if (metricOf(row.metric)?.rate) return null;
  const clamp = (v: string | null) => Math.max(0, Math.min(1, Number(v ?? 0)));
  return (
    <div className="pace-bar" aria-hidden="true">
      <div className="actual" style={{ width: `${clamp(row.achievement) * 100}%` }} />
      <div className="expected" style={{ left: `${clamp(row.elapsedShare) * 100}%` }} />
    </div>
  );
}

export function TargetsSettingsPage({ session }: { session: Session }) {
  const writable = canWrite(session);
  const { data, loading, error: loadError, refetch } = useQuery(TARGETS_SETTINGS, {});
  const set = useMutation(SET_AGENT_TARGET);
  const remove = useMutation(SET_AGENT_TARGET);
  const agents = (data?.allAgents?.nodes ?? []).filter((a): a is NonNullable<typeof a> => a !== null);
  const rows: PacingRow[] = (data?.targetPacing ?? []).filter((r): r is NonNullable<typeof r> => r !== null);
  const blank: Draft = { agentId: '', metric: 'calls', periodType: 'month', periodStart: todayIn(session.timeZone), value: '' };
  const [draft, setDraft] = useState<Draft>(blank);
  const [localError, setLocalError] = useState<ApiError | undefined>();
  const agentId = draft.agentId || agents[0]?.rowId || '';
  const rate = metricOf(draft.metric)?.rate ?? false;
  const error = localError ?? set.error;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setLocalError(undefined);
    if (draft.value.trim() === '') {
      setLocalError(new ApiError(rate ? 'Enter the target as a percentage from 0 to 100.' : 'Enter the target: a whole number, 0 or more.', 'INVALID_TARGET_VALUE'));
      return;
    }
    if (draft.periodStart === '') {
      setLocalError(new ApiError('Choose a date in the target\'s period.', 'INVALID_TARGET_DAY'));
      return;
    }
    const value = rate ? percentToFraction(draft.value.trim()) : draft.value.trim();
    const result = await set.run({ agentId, metric: draft.metric, periodType: draft.periodType, periodStart: draft.periodStart, value });
    if (result) {
      setDraft({ ...draft, value: '' });
      refetch();
    }
  }

  async function removeRow(row: PacingRow) {
    if (!row.agentId || !row.periodType || !row.periodStart || !row.metric) return;
    const result = await remove.run({ agentId: row.agentId, periodType: row.periodType, periodStart: row.periodStart, metric: row.metric, value: null });
    if (result) refetch();
  }

  function edit(row: PacingRow) {
    const r = metricOf(row.metric)?.rate ?? false;
    setLocalError(undefined);
    setDraft({
      agentId: row.agentId ?? '',
      metric: row.metric ?? 'calls',
      periodType: row.periodType ?? 'month',
      periodStart: row.periodStart ?? blank.periodStart,
      value: row.target == null ? '' : r ? String(Number(row.target) * 100) : String(Number(row.target)),
    });
  }

  return (
    <div className="page">
      <h1>Targets</h1>
      <p className="muted">
        A target is set per agent, metric and period. Pacing compares the actual figure so far with what is due by now: the target times
        the share of the period that has passed in your time zone ({session.timeZone}). Rates are compared with the target itself.
      </p>
      {writable ? (
        <section className="settings-section" aria-labelledby="set-target">
          <h2 id="set-target">Set a target</h2>
          {agents.length === 0 && data ? (
            <p className="muted">
              Add an agent first (<a href="/settings/agents">Agents and numbers</a>).
            </p>
          ) : (
            <form className="settings-form" aria-label="Set a target" onSubmit={submit} noValidate>
              <Field id="target-agent" label="Agent" error={error} field="agent">
                <select id="target-agent" value={agentId} onChange={(e) => setDraft({ ...draft, agentId: e.target.value })}>
                  {agents.map((a) => (
                    <option key={a.rowId} value={a.rowId}>
                      {a.name}
                      {a.isActive ? '' : ' (inactive)'}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="target-metric" label="Metric" error={error} field="metric">
                <select id="target-metric" value={draft.metric} onChange={(e) => setDraft({ ...draft, metric: e.target.value })}>
                  {METRICS.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="target-period" label="Period" error={error} field="periodType">
                <select id="target-period" value={draft.periodType} onChange={(e) => setDraft({ ...draft, periodType: e.target.value })}>
                  {PERIODS.map((p) => (
                    <option key={p.value} value={p.value}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="target-day" label="A day in the period" error={error} field="periodStart">
                <input id="target-day" type="date" value={draft.periodStart} onChange={(e) => setDraft({ ...draft, periodStart: e.target.value })} />
              </Field>
              <Field id="target-value" label={rate ? 'Target (%)' : 'Target'} error={error} field="value">
                <input
                  id="target-value"
                  type="number"
                  inputMode="decimal"
                  step={rate ? 'any' : 1}
                  value={draft.value}
                  onChange={(e) => setDraft({ ...draft, value: e.target.value })}
                  aria-describedby="target-value-error"
                />
              </Field>
              <div className="form-actions">
                <button type="submit" disabled={set.pending}>
                  Set target
                </button>
                <FieldError error={error} field={undefined} />
              </div>
            </form>
          )}
        </section>
      ) : null}
      <section className="settings-section" aria-labelledby="target-list">
        <h2 id="target-list">Targets and pacing</h2>
        <StatusGate label="targets" loading={loading} error={loadError} onRetry={refetch} empty={data !== undefined && rows.length === 0} emptyText="No targets yet.">
          {remove.error ? (
            <p className="form-error" role="alert">
              {remove.error.message}
            </p>
          ) : null}
          <div className="table-scroll">
            <table className="data-table settings-table">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Period</th>
                  <th scope="col">Metric</th>
                  <th scope="col" className="num">Target</th>
                  <th scope="col" className="num">Actual so far</th>
                  <th scope="col" className="num">Achievement</th>
                  <th scope="col" className="num">Expected by now</th>
                  <th scope="col">Pacing</th>
                  {writable ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.targetId}-${row.metric}`} data-metric={row.metric} data-period={row.periodType}>
                    <td data-label="Agent">{row.agentName}</td>
                    <td data-label="Period">{periodLabel(row.periodType, row.periodStart)}</td>
                    <td data-label="Metric">{metricOf(row.metric)?.label ?? row.metric}</td>
                    <td data-label="Target" className="num">{figure(row.metric, row.target)}</td>
                    <td data-label="Actual" className="num">{figure(row.metric, row.actual)}</td>
                    <td data-label="Achievement" className="num">
                      {formatPercent(row.achievement, 0)}
                      <PaceBar row={row} />
                    </td>
                    <td data-label="Expected" className="num">
                      {figure(row.metric, row.expectedSoFar, true)}
                      {metricOf(row.metric)?.rate ? null : <span className="muted"> ({formatPercent(row.elapsedShare, 0)} of period)</span>}
                    </td>
                    <td data-label="Pacing">
                      <Pace row={row} />
                    </td>
                    {writable ? (
                      <td className="actions" data-label="Actions">
                        <div className="button-row">
                          <button type="button" onClick={() => edit(row)}>
                            Edit
                          </button>
                          <button type="button" onClick={() => void removeRow(row)} disabled={remove.pending}>
                            Remove
                          </button>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </StatusGate>
      </section>
    </div>
  );
}
