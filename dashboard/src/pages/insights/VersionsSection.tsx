/**
 * Agent versions compared (issue 17 item 7): pick an agent and two of its versions; their KPIs side by side for
 * the page's range, the change (as the API defines it) and, for rates, the two-proportion test's verdict.
 * Every figure, change and verdict comes computed from SQL (app_public.agent_version_kpis).
 */
import { useState } from 'react';
import type { CompareAgentVersionsData } from '../../api/operations/insights-versions.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import {
  formatDateTime, formatDuration, formatInteger, formatPercent, formatPointChange, formatRelativeChange, MISSING,
} from '../../format.ts';
import { useAgentVersionList, useCompareAgentVersions } from '../../hooks/use-insights-versions.ts';
import type { InsightsSectionProps } from './types.ts';
import './versions.css';

type VersionRow = NonNullable<NonNullable<CompareAgentVersionsData['agentVersionKpis']>[number]>;
type Figures = NonNullable<VersionRow['figures']>;
type Changes = NonNullable<VersionRow['changes']>;
type RateTest = NonNullable<NonNullable<VersionRow['tests']>[number]>;

interface KpiLine {
  label: string;
  figure: keyof Figures;
  format: (value: string | null) => string;
  change?: keyof Changes;
  /** A rate: its change is in points and it has a test. */
  rate?: string;
}

const LINES: readonly KpiLine[] = [
  { label: 'Calls', figure: 'calls', format: formatInteger, change: 'calls' },
  { label: 'Successful calls', figure: 'successfulCalls', format: formatInteger },
  { label: 'Success rate', figure: 'successRate', format: (v) => formatPercent(v), change: 'successRate', rate: 'success_rate' },
  { label: 'Answer rate', figure: 'answerRate', format: (v) => formatPercent(v), change: 'answerRate', rate: 'answer_rate' },
  { label: 'Average duration', figure: 'averageDurationSeconds', format: formatDuration, change: 'averageDurationSeconds' },
  { label: 'Leads', figure: 'leads', format: formatInteger, change: 'leads' },
  { label: 'Qualified leads', figure: 'qualifiedLeads', format: formatInteger, change: 'qualifiedLeads' },
  { label: 'Conversion rate', figure: 'conversionRate', format: (v) => formatPercent(v), change: 'conversionRate', rate: 'conversion_rate' },
  { label: 'CTA rate', figure: 'ctaRate', format: (v) => formatPercent(v), change: 'ctaRate', rate: 'cta_rate' },
  { label: 'Average lead score', figure: 'averageLeadScore', format: (v) => (v === null ? MISSING : Number(v).toFixed(1)) },
  { label: 'Credits used', figure: 'creditsUsed', format: formatInteger, change: 'creditsUsed' },
];

function Verdict({ test }: { test: RateTest | undefined }) {
  if (!test) return <span className="muted">{MISSING}</span>;
  const kind = test.significant === null ? 'unknown' : test.significant ? 'significant' : 'not-significant';
  const label = test.significant === null ? 'Too few to judge' : test.significant ? 'Significant (95%)' : 'Not significant';
  return (
    <span className={`verdict verdict-${kind}`} title={test.verdict ?? undefined} data-verdict={kind}>
      {label}
      {test.pValue !== null ? <span className="muted"> p = {test.pValue}</span> : null}
    </span>
  );
}

export function VersionsSection({ session, fromDate, toDate, agentId }: InsightsSectionProps) {
  const [ownAgent, setOwnAgent] = useState<string | null>(null);
  const agent = agentId ?? ownAgent ?? session.agents[0]?.id ?? null;
  const range = { fromDate, toDate };
  const list = useAgentVersionList(agent, range);
  const versions = (list.data?.agentVersionKpis ?? []).filter((v): v is NonNullable<typeof v> => v !== null && v.version !== null);
  const [picked, setPicked] = useState<{ agent: string | null; a: number | null; b: number | null }>({ agent: null, a: null, b: null });
  const latest = versions.at(-1)?.version ?? null;
  const previous = versions.at(-2)?.version ?? null;
  const a = picked.agent === agent && picked.a !== null ? picked.a : previous;
  const b = picked.agent === agent && picked.b !== null ? picked.b : latest;
  const pair: readonly [number, number] | null = a !== null && b !== null && a !== b ? [Math.min(a, b), Math.max(a, b)] : null;
  const compared = useCompareAgentVersions(agent, range, pair);
  const rows = (compared.data?.agentVersionKpis ?? []).filter((r): r is VersionRow => r !== null);
  const [first, second] = rows;
  const tests = new Map((second?.tests ?? []).filter((t): t is RateTest => t !== null).map((t) => [t.rate ?? '', t]));

  const choose = (which: 'a' | 'b', value: string): void => {
    setPicked({ agent, a: which === 'a' ? Number(value) : a, b: which === 'b' ? Number(value) : b });
  };
  const versionLabel = (v: (typeof versions)[number]): string =>
    `Version ${v.version} (from ${formatDateTime(v.createdAt, session.timeZone)}, ${formatInteger(v.figures?.calls ?? null)} calls)`;

  return (
    <section className="panel versions-section" data-section="versions" aria-labelledby="versions-title">
      <h2 id="versions-title">Agent versions compared, with significance</h2>
      <p className="muted">
        Every configuration change of an agent starts a new version; each call counts under the version it ran with.
        Rates are compared with a two-proportion test: &ldquo;significant&rdquo; means a difference this large would arise by chance less than 5% of the time.
      </p>
      <div className="versions-pickers">
        {agentId === null ? (
          <label>
            Agent{' '}
            <select value={agent ?? ''} onChange={(e) => setOwnAgent(e.target.value || null)} data-testid="versions-agent">
              {session.agents.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </label>
        ) : null}
        {versions.length > 1 ? (
          <>
            <label>
              Baseline{' '}
              <select value={a ?? ''} onChange={(e) => choose('a', e.target.value)} data-testid="versions-a">
                {versions.map((v) => <option key={v.version} value={v.version ?? ''}>{versionLabel(v)}</option>)}
              </select>
            </label>
            <label>
              Compared{' '}
              <select value={b ?? ''} onChange={(e) => choose('b', e.target.value)} data-testid="versions-b">
                {versions.map((v) => <option key={v.version} value={v.version ?? ''}>{versionLabel(v)}</option>)}
              </select>
            </label>
          </>
        ) : null}
      </div>
      {agent === null ? (
        <div className="state state-empty" data-state="empty">No agents yet.</div>
      ) : (
        <StatusGate
          label="agent versions"
          loading={list.loading || (pair !== null && compared.loading)}
          error={list.error ?? compared.error}
          onRetry={() => { list.refetch(); compared.refetch(); }}
          empty={versions.length < 2 || pair === null}
          emptyText={versions.length < 2
            ? 'This agent has one version so far: its configuration has not changed. A comparison appears after the first change.'
            : 'Pick two different versions to compare.'}
          updating={list.stale || compared.stale}
        >
          {first && second ? (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Version comparison (scrolls sideways)">
              <table className="data-table versions-table" data-testid="versions-table">
                <caption className="sr-only">
                  KPIs of version {first.version} and version {second.version} for the selected period, the change and the significance of rate differences.
                </caption>
                <thead>
                  <tr>
                    <th scope="col">KPI</th>
                    <th scope="col" className="num">Version {first.version}</th>
                    <th scope="col" className="num">Version {second.version}</th>
                    <th scope="col" className="num">Change</th>
                    <th scope="col">Significance</th>
                  </tr>
                </thead>
                <tbody>
                  {LINES.map((line) => {
                    const change = line.change ? (second.changes?.[line.change] ?? null) : null;
                    return (
                      <tr key={String(line.figure)} data-kpi={String(line.figure)}>
                        <th scope="row">{line.label}</th>
                        <td className="num">{line.format(first.figures?.[line.figure] ?? null)}</td>
                        <td className="num">{line.format(second.figures?.[line.figure] ?? null)}</td>
                        <td className="num">{line.change ? (line.rate ? formatPointChange(change) : formatRelativeChange(change)) : MISSING}</td>
                        <td>{line.rate ? <Verdict test={tests.get(line.rate)} /> : null}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
          {second ? (
            <ul className="versions-notes">
              {[...tests.values()].map((t) => (
                <li key={t.rate} data-rate={t.rate}>
                  <strong>{LINES.find((l) => l.rate === t.rate)?.label}:</strong> {t.verdict}
                </li>
              ))}
            </ul>
          ) : null}
        </StatusGate>
      )}
    </section>
  );
}
