/**
 * Re-scoring runs: analyse a date range's calls again with the current analysis prompts, as a background job.
 * The estimate (calls, tokens, cost) comes first and a confirmation before the run starts; its progress shows
 * while it runs; the KPIs keep the current scores until every call is done and then switch at once. The history
 * of runs, and two prompt versions compared side by side on the same calls (KPI figures from the API, differences
 * computed in SQL). Owners and managers start and cancel runs; viewers read (the database refuses their writes).
 */
import { useState } from 'react';
import type { PromptVersionRow, RescoringRunRow, RescoringEstimateRow, VersionComparison } from '../../api/operations/rescoring.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { addDays, isDay, todayIn } from '../../dates.ts';
import { formatDateTime, formatDay, formatInteger, formatLabel, formatPercent, formatPointChange, MISSING } from '../../format.ts';
import { useCancelRescoring, useRescoring, useRescoringEstimate, useStartRescoring, useVersionComparison } from '../../hooks/use-rescoring.ts';
import { canWrite, type Session } from '../../session.ts';
import { FormError } from './settings-widgets.tsx';
import './settings.css';
import './rescoring.css';

const ACTIVE = new Set(['queued', 'running']);

function cents(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return MISSING;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(Number(value) / 100);
}

function signed(value: string | null | undefined, digits: number): string {
  if (value === null || value === undefined || value === '') return MISSING;
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(Number(value));
}

function Estimate({ estimate }: { estimate: RescoringEstimateRow }) {
  return (
    <dl className="rescoring-estimate" data-testid="rescoring-estimate">
      <div><dt>Calls</dt><dd>{formatInteger(estimate.calls)}</dd></div>
      <div><dt>Tokens (in / out)</dt><dd>{formatInteger(estimate.estimatedInputTokens)} / {formatInteger(estimate.estimatedOutputTokens)}</dd></div>
      <div><dt>Estimated cost</dt><dd data-testid="estimated-cost">{cents(estimate.estimatedCostCents)}</dd></div>
      <div><dt>Prompts</dt><dd>{estimate.customPrompt ? `your prompts, version ${estimate.promptVersion ?? MISSING}` : 'platform default'}</dd></div>
    </dl>
  );
}

function StartRun({ session, active, onStarted }: { session: Session; active: boolean; onStarted(): void }) {
  const today = todayIn(session.timeZone);
  const [fromDate, setFrom] = useState(addDays(today, -29));
  const [toDate, setTo] = useState(today);
  const [confirming, setConfirming] = useState(false);
  const valid = isDay(fromDate) && isDay(toDate) && fromDate <= toDate;
  const estimate = useRescoringEstimate(fromDate, toDate, !valid);
  const start = useStartRescoring();
  const e = estimate.data?.estimateRescoring ?? null;
  const writable = canWrite(session);
  const submit = async () => {
    const result = await start.run({ fromDate, toDate });
    if (result?.startRescoring?.result) {
      setConfirming(false);
      onStarted();
    }
  };
  return (
    <section className="panel" aria-labelledby="start-run-title" data-testid="start-run">
      <h2 id="start-run-title">Re-score calls</h2>
      <p className="muted small">
        Analyses the calls of the range again with your current analysis prompts (Settings → Analysis). Until every call is
        done the dashboard keeps the current scores; then all of them switch at once. Tokens are estimated from the
        transcripts' length; the price per token is the platform's setting (the built-in analyser costs nothing).
      </p>
      <div className="settings-form">
        <label>
          From
          <input type="date" value={fromDate} max={toDate} onChange={(event) => { setFrom(event.target.value); setConfirming(false); }} />
        </label>
        <label>
          To
          <input type="date" value={toDate} min={fromDate} onChange={(event) => { setTo(event.target.value); setConfirming(false); }} />
        </label>
      </div>
      {!valid ? <p className="form-error" role="alert">Choose a start date on or before the end date.</p> : null}
      <StatusGate label="estimate" loading={estimate.loading && valid} error={estimate.error} onRetry={estimate.refetch}>
        {e ? <Estimate estimate={e} /> : null}
      </StatusGate>
      <FormError error={start.error} fieldCodes={[]} />
      {!writable ? (
        <p className="muted small" data-testid="read-only-note">You have view-only access: an owner or manager can start a run.</p>
      ) : confirming && e ? (
        <div className="rescoring-confirm" role="group" aria-label="Confirm the run" data-testid="confirm-run">
          <p>
            Re-score <strong>{formatInteger(e.calls)}</strong> calls from {formatDay(e.fromDate, { year: true })} to {formatDay(e.toDate, { year: true })},
            for about <strong>{cents(e.estimatedCostCents)}</strong>?
          </p>
          <div className="form-actions">
            <button type="button" className="primary" disabled={start.pending} onClick={() => void submit()}>
              {start.pending ? 'Starting…' : 'Start the run'}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>Back</button>
          </div>
        </div>
      ) : (
        <div className="form-actions">
          <button type="button" className="primary" disabled={!valid || !e || e.calls === 0 || active} onClick={() => setConfirming(true)}>
            Review and start…
          </button>
          {active ? <span className="muted small">A run is in progress.</span> : null}
          {e && e.calls === 0 ? <span className="muted small">No analysed calls with a transcript in this range.</span> : null}
        </div>
      )}
    </section>
  );
}

function Progress({ run, session, onChanged }: { run: RescoringRunRow; session: Session; onChanged(): void }) {
  const cancel = useCancelRescoring();
  const share = run.callsTotal > 0 ? run.callsDone / run.callsTotal : 0;
  return (
    <section className="panel" aria-labelledby="run-progress-title" data-testid="run-progress">
      <h2 id="run-progress-title">Run in progress</h2>
      <p>
        {formatDay(run.fromDate, { year: true })} – {formatDay(run.toDate, { year: true })} · <span className={`badge badge-${run.status}`}>{formatLabel(run.status)}</span>
        {run.promptVersion ? <span className="muted small"> · {run.promptVersion}{run.model ? ` · ${run.model}` : ''}</span> : null}
      </p>
      <div className="request-progress">
        <progress max={run.callsTotal} value={run.callsDone} aria-label="Calls re-scored" />
        <span className="small" data-testid="run-done">{formatInteger(run.callsDone)} of {formatInteger(run.callsTotal)} calls ({formatPercent(share, 0)})</span>
      </div>
      <p className="muted small">The KPIs show the current scores until the run completes.</p>
      <FormError error={cancel.error} fieldCodes={[]} />
      {canWrite(session) ? (
        <button type="button" disabled={cancel.pending} onClick={async () => { if (await cancel.run({ runId: run.rowId })) onChanged(); }}>
          {cancel.pending ? 'Cancelling…' : 'Cancel the run'}
        </button>
      ) : null}
    </section>
  );
}

function History({ runs, session }: { runs: RescoringRunRow[]; session: Session }) {
  return (
    <section className="panel" aria-labelledby="runs-title" data-testid="run-history">
      <h2 id="runs-title">Runs</h2>
      {runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <div className="table-scroll">
        <table className="settings-table">
          <thead>
            <tr><th>Started</th><th>Range</th><th>Status</th><th className="num">Calls</th><th className="num">Estimated cost</th><th>Version</th></tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.rowId} data-run-id={run.rowId} data-status={run.status}>
                <td data-label="Started">{formatDateTime(run.createdAt, session.timeZone)}</td>
                <td data-label="Range">{formatDay(run.fromDate, { year: true })} – {formatDay(run.toDate, { year: true })}</td>
                <td data-label="Status">
                  <span className={`badge badge-${run.status}`}>{formatLabel(run.status)}</span>
                  {run.error ? <span className="form-error small"> {run.error}</span> : null}
                </td>
                <td data-label="Calls" className="num">
                  {run.status === 'completed' ? `${formatInteger(run.callsApplied)} switched` : `${formatInteger(run.callsDone)} / ${formatInteger(run.callsTotal)}`}
                </td>
                <td data-label="Estimated cost" className="num">{cents(run.estimatedCostCents)}</td>
                <td data-label="Version">{run.promptVersion ?? MISSING}{run.model ? ` · ${run.model}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}

type Figures = NonNullable<VersionComparison['figuresA']>;
type FigureKey = keyof Omit<Figures, '__typename'>;
const ROWS: { key: FigureKey; label: string; kind: 'count' | 'rate' | 'average' }[] = [
  { key: 'leads', label: 'Leads', kind: 'count' },
  { key: 'qualifiedLeads', label: 'Qualified leads', kind: 'count' },
  { key: 'conversionRate', label: 'Conversion rate', kind: 'rate' },
  { key: 'averageLeadScore', label: 'Average lead score', kind: 'average' },
  { key: 'hotLeads', label: 'Hot leads', kind: 'count' },
  { key: 'warmLeads', label: 'Warm leads', kind: 'count' },
  { key: 'coldLeads', label: 'Cold leads', kind: 'count' },
  { key: 'callsWithCta', label: 'Leads with a CTA', kind: 'count' },
  { key: 'ctaRate', label: 'CTA conversion rate', kind: 'rate' },
  { key: 'averageIntentScore', label: 'Average intent', kind: 'average' },
  { key: 'averageUrgencyScore', label: 'Average urgency', kind: 'average' },
  { key: 'averageBudgetScore', label: 'Average budget', kind: 'average' },
  { key: 'averageFitScore', label: 'Average fit', kind: 'average' },
  { key: 'averageEngagementScore', label: 'Average engagement', kind: 'average' },
];

function value(kind: 'count' | 'rate' | 'average', v: string | null | undefined): string {
  if (kind === 'count') return formatInteger(v);
  if (kind === 'rate') return formatPercent(v);
  return v === null || v === undefined ? MISSING : Number(v).toFixed(2);
}

function difference(kind: 'count' | 'rate' | 'average', v: string | null | undefined): string {
  if (kind === 'count') return signed(v, 0);
  if (kind === 'rate') return formatPointChange(v);
  return signed(v, 2);
}

function Compare({ versions, session }: { versions: PromptVersionRow[]; session: Session }) {
  const today = todayIn(session.timeZone);
  const names = versions.map((v) => v.promptVersion).filter((v): v is string => Boolean(v));
  const [a, setA] = useState<string | null>(null);
  const [b, setB] = useState<string | null>(null);
  const versionB = b ?? names[0] ?? '';
  const versionA = a ?? names.find((n) => n !== versionB) ?? '';
  const fromDate = addDays(today, -89);
  const comparison = useVersionComparison(versionA, versionB, fromDate, today);
  const c = comparison.data?.compareAnalysisVersions ?? null;
  return (
    <section className="panel" aria-labelledby="compare-title" data-testid="compare-versions">
      <h2 id="compare-title">Compare two versions</h2>
      <p className="muted small">
        The same calls (of the last 90 days) as each prompt version scored them: only calls analysed by both count.
      </p>
      {names.length < 2 ? (
        <p className="muted">Two prompt versions are needed: re-score calls after changing the prompts.</p>
      ) : (
        <>
          <div className="settings-form">
            <label>
              Before
              <select value={versionA} onChange={(event) => setA(event.target.value)}>
                {names.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </label>
            <label>
              After
              <select value={versionB} onChange={(event) => setB(event.target.value)}>
                {names.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </label>
          </div>
          <StatusGate label="comparison" loading={comparison.loading && versionA !== versionB} error={comparison.error} onRetry={comparison.refetch}>
            {versionA === versionB ? <p className="muted">Choose two different versions.</p> : c ? (
              <>
                <p className="small" data-testid="compare-summary">
                  {formatInteger(c.callsCompared)} calls compared · {formatInteger(c.temperatureChanged)} changed temperature ·{' '}
                  {formatInteger(c.scoreRaised)} scored higher · {formatInteger(c.scoreLowered)} scored lower
                </p>
                <div className="table-scroll">
                <table className="settings-table compare-table" data-testid="compare-table">
                  <thead>
                    <tr><th>Figure</th><th className="num">{c.versionA}</th><th className="num">{c.versionB}</th><th className="num">Difference</th></tr>
                  </thead>
                  <tbody>
                    {ROWS.map((row) => (
                      <tr key={row.key} data-figure={row.key}>
                        <td className="figure-name">{row.label}</td>
                        <td data-label={c.versionA ?? 'Before'} className="num">{value(row.kind, c.figuresA?.[row.key])}</td>
                        <td data-label={c.versionB ?? 'After'} className="num">{value(row.kind, c.figuresB?.[row.key])}</td>
                        <td data-label="Difference" className="num">{difference(row.kind, c.differences?.[row.key])}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                </div>
              </>
            ) : null}
          </StatusGate>
        </>
      )}
    </section>
  );
}

export function RescoringPage({ session }: { session: Session }) {
  const today = todayIn(session.timeZone);
  const [watching, setWatching] = useState(false);
  const { data, loading, error, refetch } = useRescoring(addDays(today, -89), today, watching);
  const runs = (data?.allRescoringRuns?.nodes ?? []).filter((r): r is RescoringRunRow => r !== null);
  const versions = (data?.analysisPromptVersions?.nodes ?? []).filter((v): v is PromptVersionRow => v !== null);
  const active = runs.find((r) => ACTIVE.has(r.status)) ?? null;
  if (Boolean(active) !== watching) setWatching(Boolean(active));
  return (
    <section className="rescoring-page" data-page="rescoring">
      <h1>Re-scoring runs</h1>
      <StatusGate label="re-scoring runs" loading={loading} error={error} onRetry={refetch}>
        {active ? <Progress run={active} session={session} onChanged={refetch} /> : null}
        <StartRun session={session} active={Boolean(active)} onStarted={() => { setWatching(true); refetch(); }} />
        <Compare versions={versions} session={session} />
        <History runs={runs} session={session} />
      </StatusGate>
    </section>
  );
}
