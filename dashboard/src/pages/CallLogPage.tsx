/**
 * The call log: every call of the business, filtered, sorted and paged, with the
 * totals of the whole filtered set. Every filter, the sort and the page live in
 * the URL (dashboard/src/drilldown.ts), so a link shares exactly this list; the
 * dashboard's figures link here with `figure=` and their slice. Export: the whole
 * filtered set as CSV, streamed by the server.
 */
import { useState, type FormEvent } from 'react';
import { downloadCallLog } from '../api/call-log-export.ts';
import { CALL_LOG_PAGE_SIZE, type CallLogRow } from '../api/operations/call-log.ts';
import { StatusGate } from '../components/StatusGate.tsx';
import {
  CALL_LOG_PATH, DIRECTIONS, OUTCOMES, PROVIDERS, SOURCES, STATUSES, TEMPERATURES, callLogSearch, callLogVariables, readCallLogFilter,
  type CallLogFilter, type CallLogSort,
} from '../drilldown.ts';
import { formatDateTime, formatDay, formatDuration, formatHour, formatInteger, formatLabel, formatPercent, formatWeekday } from '../format.ts';
import { useCallLog, useCallLogTotals } from '../hooks/use-call-log.ts';
import { navigate, useLocation } from '../router.ts';
import type { Session } from '../session.ts';
import './call-log.css';

/** A drill-down's figure in words: a KPI figure's label, or the topic, objection or free topic an Insights bar names. */
function figureLabel(figure: string): string {
  const [, kind, key] = /^(topic|objection|free_topic):(.+)$/.exec(figure) ?? [];
  if (kind && key) return `${kind === 'objection' ? 'objection' : 'topic'} "${key.replace(/_/g, ' ')}"`;
  return FIGURE_LABELS[figure] ?? figure;
}

/** What a drill-down shows, in words (keys of app_hidden.figure_calls). */
const FIGURE_LABELS: Readonly<Record<string, string>> = {
  calls: 'All calls', successful_calls: 'Successful calls', unanswered_calls: 'Unanswered calls', failed_calls: 'Failed calls',
  answer_rate: 'Answer rate: its calls (successful + unanswered)', success_rate: 'Success rate: its calls (successful + unanswered + failed)',
  talk_seconds: 'Talk time: the successful calls', average_duration_seconds: 'Average duration: the successful calls',
  billed_minutes: 'Calls with billed minutes', credits_used: 'Calls that used credits', inbound_calls: 'Inbound calls',
  outbound_calls: 'Outbound calls', phone_calls: 'Phone calls', internet_calls: 'Web calls', unknown_source_calls: 'Calls of unknown source',
  leads: 'Leads (calls with an analysis)', qualified_leads: 'Qualified leads', hot_leads: 'Hot leads', warm_leads: 'Warm leads',
  cold_leads: 'Cold leads', untagged_leads: 'Leads without a tag', conversion_rate: 'Conversion rate: its leads',
  calls_with_cta: 'Leads with a call to action', cta_rate: 'CTA rate: its leads', cta_pricing: 'Leads that asked for pricing',
  cta_demo: 'Leads that asked for a demo', cta_followup: 'Leads that agreed to a follow-up', cta_sample: 'Leads that asked for a sample',
  cta_human_escalation: 'Leads escalated to a human', average_lead_score: 'Average lead score: the scored leads',
};

const SORT_COLUMNS: ReadonlyArray<{ key: CallLogSort; label: string }> = [
  { key: 'started_at', label: 'Started' },
  { key: 'duration', label: 'Duration' },
  { key: 'score', label: 'Score' },
  { key: 'credits', label: 'Credits' },
];

type ListKey = 'outcomes' | 'statuses' | 'providers' | 'directions' | 'sources' | 'temperatures';
const LIST_FILTERS: ReadonlyArray<{ key: ListKey; label: string; values: readonly string[] }> = [
  { key: 'outcomes', label: 'Outcome', values: OUTCOMES },
  { key: 'statuses', label: 'Status', values: STATUSES },
  { key: 'providers', label: 'Provider', values: PROVIDERS },
  { key: 'directions', label: 'Direction', values: DIRECTIONS },
  { key: 'sources', label: 'Source', values: SOURCES },
  { key: 'temperatures', label: 'Temperature', values: TEMPERATURES },
];
type FlagKey = 'hasTranscript' | 'hasAnalysis' | 'hasRecording';
const FLAG_FILTERS: ReadonlyArray<{ key: FlagKey; label: string }> = [
  { key: 'hasTranscript', label: 'Transcript' },
  { key: 'hasAnalysis', label: 'Analysis' },
  { key: 'hasRecording', label: 'Recording' },
];
type NumberKey = 'minScore' | 'maxScore' | 'minDuration' | 'maxDuration';
const NUMBER_FILTERS: ReadonlyArray<{ key: NumberKey; label: string; max: number }> = [
  { key: 'minScore', label: 'Score from', max: 100 },
  { key: 'maxScore', label: 'Score to', max: 100 },
  { key: 'minDuration', label: 'Duration from (s)', max: 86400 },
  { key: 'maxDuration', label: 'Duration to (s)', max: 86400 },
];

function go(filter: CallLogFilter, after: string | null = null): void {
  const search = callLogSearch(filter);
  const cursor = after ? `${search ? '&' : '?'}after=${encodeURIComponent(after)}` : '';
  navigate(CALL_LOG_PATH + search + cursor);
}

function CallCells({ call, timeZone }: { call: CallLogRow; timeZone: string }) {
  const href = `/calls/${call.callId ?? ''}`;
  const open = (event: React.MouseEvent<HTMLAnchorElement>): void => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <tr data-call-id={call.callId ?? ''}>
      <td data-label="Started">
        <a href={href} onClick={open}>{formatDateTime(call.startedAt, timeZone)}</a>
      </td>
      <td data-label="Contact">
        <span className="call-log-contact">{call.contactName ?? call.callerName ?? call.phoneNumber ?? 'Unknown'}</span>
        {call.contactName || call.callerName ? <span className="muted call-log-phone">{call.phoneNumber}</span> : null}
      </td>
      <td data-label="Agent">{call.agentName}</td>
      <td data-label="Outcome">
        <span className={`badge badge-${call.outcome ?? 'muted'}`}>{formatLabel(call.outcome ?? 'in progress')}</span>{' '}
        <span className="muted">{formatLabel(call.status)}</span>
      </td>
      <td data-label="Direction">{formatLabel(call.direction)} · {formatLabel(call.callSource)} · {formatLabel(call.provider)}</td>
      <td className="num" data-label="Duration" data-value={call.durationSeconds ?? ''}>{formatDuration(call.durationSeconds)}</td>
      <td className="num" data-label="Score" data-value={call.totalScore ?? ''}>
        {call.totalScore ?? '—'}{call.leadStatusTag ? ` · ${formatLabel(call.leadStatusTag)}` : ''}
      </td>
      <td className="num" data-label="Credits">{formatInteger(call.creditsUsed)}</td>
      <td data-label="Has">
        {[call.hasTranscript ? 'Transcript' : null, call.hasAnalysis ? 'Analysis' : null, call.hasRecording ? 'Recording' : null]
          .filter(Boolean).join(' · ') || '—'}
      </td>
    </tr>
  );
}

export function CallLogPage({ session }: { session: Session }) {
  const { search } = useLocation();
  const filter = readCallLogFilter(search);
  const after = search.get('after');
  const filterVariables = callLogVariables(filter);
  const variables = { ...filterVariables, after, pageSize: CALL_LOG_PAGE_SIZE };
  const { data, loading, error, refetch } = useCallLog(variables);
  // the totals name no sort and no page: asked once per filter, beside the page
  const { sort: _sort, descending: _descending, ...totalsVariables } = filterVariables;
  const totalsQuery = useCallLogTotals(totalsVariables);
  const [history, setHistory] = useState<string[]>([]);
  const [exporting, setExporting] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [query, setQuery] = useState(filter.search ?? '');
  const log = data?.callLog ?? null;
  const rows = (log?.rows ?? []).filter((row): row is CallLogRow => row !== null);
  const totals = totalsQuery.data?.callLog?.totals ?? null;
  const totalsState = totals ? 'ready' : totalsQuery.error ? 'error' : 'loading';

  const change = (patch: Partial<CallLogFilter>): void => {
    setHistory([]);
    go({ ...filter, ...patch });
  };
  const onSearch = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    change({ search: query.trim() || null });
  };
  const sortBy = (key: CallLogSort): void => change({ sort: key, descending: filter.sort === key ? !filter.descending : true });
  const onExport = async (): Promise<void> => {
    setExporting({ busy: true, error: null });
    try {
      await downloadCallLog(callLogVariables(filter));
      setExporting({ busy: false, error: null });
    } catch (e) {
      setExporting({ busy: false, error: e instanceof Error ? e.message : 'The export failed.' });
    }
  };
  const cell = filter.isoWeekday !== null || filter.hour !== null
    ? ` · ${filter.isoWeekday !== null ? formatWeekday(filter.isoWeekday) : 'every day'} ${filter.hour !== null ? formatHour(filter.hour) : ''}`
    : '';
  const agentName = session.agents.find((a) => a.id === filter.agentId)?.name;

  return (
    <div className="page" data-page="call-log">
      <div className="page-head">
        <div>
          <h1>Calls</h1>
          <p className="muted" data-testid="call-log-range">
            {log ? `${formatDay(log.fromDate, { year: true })} – ${formatDay(log.toDate, { year: true })} (${log.timezone ?? session.timeZone})` : ' '}
            {agentName ? ` · ${agentName}` : ''}
            {cell}
          </p>
          {filter.figure ? (
            <p className="call-log-figure" data-testid="call-log-figure">
              Showing: <strong>{figureLabel(filter.figure)}</strong>{' '}
              <button type="button" className="link-button" onClick={() => change({ figure: null, isoWeekday: null, hour: null })}>
                Show all calls
              </button>
            </p>
          ) : null}
        </div>
        <div className="controls">
          <button type="button" onClick={() => void onExport()} disabled={exporting.busy} data-testid="call-log-export">
            {exporting.busy ? 'Exporting…' : 'Export CSV'}
          </button>
          {exporting.error ? <span role="alert" className="error-text">{exporting.error}</span> : null}
        </div>
      </div>

      <details className="panel call-log-filters" open>
        <summary>Filters</summary>
        <form className="call-log-search" onSubmit={onSearch} role="search">
          <label>
            Search phone or name
            <input type="search" value={query} maxLength={100} onChange={(e) => setQuery(e.target.value)} data-testid="call-log-search" />
          </label>
          <button type="submit">Search</button>
        </form>
        <div className="call-log-filter-grid">
          <label>
            From
            <input type="date" value={filter.fromDate ?? log?.fromDate ?? ''} onChange={(e) => change({ fromDate: e.target.value || null, toDate: filter.toDate ?? log?.toDate ?? null })} data-testid="filter-from" />
          </label>
          <label>
            To
            <input type="date" value={filter.toDate ?? log?.toDate ?? ''} onChange={(e) => change({ toDate: e.target.value || null, fromDate: filter.fromDate ?? log?.fromDate ?? null })} data-testid="filter-to" />
          </label>
          <label>
            Agent
            <select value={filter.agentId ?? ''} onChange={(e) => change({ agentId: e.target.value || null })} data-testid="filter-agent">
              <option value="">All agents</option>
              {session.agents.map((a) => (
                <option key={a.id} value={a.id}>{a.name}</option>
              ))}
            </select>
          </label>
          {LIST_FILTERS.map((f) => (
            <label key={f.key}>
              {f.label}
              <select value={filter[f.key].join(',')} onChange={(e) => change({ [f.key]: e.target.value ? e.target.value.split(',') : [] })} data-testid={`filter-${f.key}`}>
                <option value="">Any</option>
                {filter[f.key].length > 1 ? <option value={filter[f.key].join(',')}>{filter[f.key].map(formatLabel).join(' or ')}</option> : null}
                {f.values.map((v) => (
                  <option key={v} value={v}>{formatLabel(v)}</option>
                ))}
              </select>
            </label>
          ))}
          {FLAG_FILTERS.map((f) => (
            <label key={f.key}>
              {f.label}
              <select value={filter[f.key] === null ? '' : filter[f.key] ? 'yes' : 'no'} onChange={(e) => change({ [f.key]: e.target.value === '' ? null : e.target.value === 'yes' })} data-testid={`filter-${f.key}`}>
                <option value="">Any</option>
                <option value="yes">With</option>
                <option value="no">Without</option>
              </select>
            </label>
          ))}
          {NUMBER_FILTERS.map((f) => (
            <label key={f.key}>
              {f.label}
              <input
                type="number" min={0} max={f.max} inputMode="numeric" defaultValue={filter[f.key] ?? ''} key={`${f.key}:${filter[f.key] ?? ''}`}
                onBlur={(e) => { const v = e.target.value === '' ? null : Number(e.target.value); if (v !== filter[f.key]) change({ [f.key]: v }); }}
                data-testid={`filter-${f.key}`}
              />
            </label>
          ))}
        </div>
      </details>

      <StatusGate label="calls" loading={loading} error={error} onRetry={refetch}>
        <div className="call-log-totals" data-testid="call-log-totals" data-state={totalsState} aria-busy={totalsState === 'loading'} data-calls={totals?.calls ?? ''}>
          <span><strong>{formatInteger(totals?.calls)}</strong> calls</span>
          <span><strong>{formatInteger(totals?.figures?.successfulCalls)}</strong> successful</span>
          <span>answer rate <strong>{formatPercent(totals?.figures?.answerRate)}</strong></span>
          <span>talk time <strong>{formatDuration(totals?.figures?.talkSeconds)}</strong></span>
          <span><strong>{formatInteger(totals?.figures?.leads)}</strong> leads</span>
          <span><strong>{formatInteger(totals?.creditsUsed)}</strong> credits</span>
          {totalsQuery.error ? (
            <button type="button" className="link-button" onClick={totalsQuery.refetch}>Totals failed: retry</button>
          ) : null}
        </div>
        {rows.length === 0 ? (
          <div className="state state-empty" data-state="empty">No calls match these filters.</div>
        ) : (
          <div className="table-scroll call-log-scroll" tabIndex={0} aria-label="Calls (scrolls sideways)">
            <table className="data-table call-log-table" data-testid="call-log">
              <caption className="sr-only">Calls matching the filters; sort with the column buttons; a call's time opens it.</caption>
              <thead>
                <tr>
                  {(['Started', 'Contact', 'Agent', 'Outcome', 'Direction', 'Duration', 'Score', 'Credits', 'Has'] as const).map((label) => {
                    const sortable = SORT_COLUMNS.find((c) => c.label === label);
                    const active = sortable && filter.sort === sortable.key;
                    return (
                      <th key={label} scope="col" className={['Duration', 'Score', 'Credits'].includes(label) ? 'num' : undefined}
                        aria-sort={active ? (filter.descending ? 'descending' : 'ascending') : sortable ? 'none' : undefined}>
                        {sortable ? (
                          <button type="button" className="sort-button" onClick={() => sortBy(sortable.key)} data-testid={`sort-${sortable.key}`}>
                            {label}<span aria-hidden="true">{active ? (filter.descending ? ' ▼' : ' ▲') : ''}</span>
                          </button>
                        ) : label}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {rows.map((call) => <CallCells key={call.callId ?? ''} call={call} timeZone={log?.timezone ?? session.timeZone} />)}
              </tbody>
            </table>
          </div>
        )}
        <nav className="call-log-pager" aria-label="Pages">
          <button type="button" disabled={after === null} onClick={() => { const prev = history.at(-1) ?? null; setHistory(history.slice(0, -1)); go(filter, prev === '' ? null : prev); }} data-testid="page-previous">
            ← Previous
          </button>
          <span className="muted">{rows.length > 0 ? `${formatInteger(rows.length)} on this page` : ''}</span>
          <button type="button" disabled={!log?.nextCursor} onClick={() => { setHistory([...history, after ?? '']); go(filter, log?.nextCursor ?? null); }} data-testid="page-next">
            Next →
          </button>
        </nav>
      </StatusGate>
    </div>
  );
}
