/**
 * Leads: every lead (a call with an analysis) of the business, newest call first, cursor-paged; filtered by
 * temperature, unread, score range, tenant-local days and agent (all in the URL, so the overview's inbox
 * links here); mark read one by one or all that match; plan a follow-up; open the contact and its calls.
 */
import { useState, type FormEvent, type MouseEvent } from 'react';
import type { LeadItem, LeadsPageVariables } from '../api/operations/leads.ts';
import { StatusGate } from '../components/StatusGate.tsx';
import { isDay, todayIn } from '../dates.ts';
import { formatDateTime, formatInteger, formatLabel } from '../format.ts';
import { useCreateFollowUp, useLeadsPage, useMarkLeadsRead } from '../hooks/use-leads.ts';
import { useMarkRead } from '../hooks/use-mark-read.ts';
import { navigate, useLocation } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import './leads.css';

const PAGE_SIZE = 25;
const TEMPERATURES = ['hot', 'warm', 'cold', 'untagged'] as const;

export interface LeadFilter {
  temperature: string | null;
  unread: boolean;
  min: number | null;
  max: number | null;
  from: string | null;
  to: string | null;
  agent: string | null;
}

function score(value: string | null): number | null {
  if (value === null || !/^\d{1,3}$/.test(value)) return null;
  const n = Number(value);
  return n <= 100 ? n : null;
}

export function readLeadFilter(search: URLSearchParams): LeadFilter {
  const temperature = search.get('temperature');
  const from = search.get('from');
  const to = search.get('to');
  return {
    temperature: TEMPERATURES.some((t) => t === temperature) ? temperature : null,
    unread: search.get('unread') === '1',
    min: score(search.get('min')),
    max: score(search.get('max')),
    from: isDay(from) ? from : null,
    to: isDay(to) ? to : null,
    agent: search.get('agent') || null,
  };
}

export function leadFilterSearch(filter: LeadFilter): string {
  const params = new URLSearchParams();
  if (filter.temperature) params.set('temperature', filter.temperature);
  if (filter.unread) params.set('unread', '1');
  if (filter.min !== null) params.set('min', String(filter.min));
  if (filter.max !== null) params.set('max', String(filter.max));
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.agent) params.set('agent', filter.agent);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The call log searched for a contact's phone number (the call log's `q`; its date range stays the page's). */
export function contactCallsHref(phoneNumber: string): string {
  return `/calls?${new URLSearchParams({ q: phoneNumber }).toString()}`;
}

function follow(event: MouseEvent<HTMLAnchorElement>, href: string): void {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(href);
}

export function LeadsPage({ session }: { session: Session }) {
  const location = useLocation();
  const filter = readLeadFilter(location.search);
  // inverted bounds would be refused: ask for what the user meant
  const [minScore, maxScore] = filter.min !== null && filter.max !== null && filter.min > filter.max ? [filter.max, filter.min] : [filter.min, filter.max];
  const [fromDate, toDate] = filter.from && filter.to && filter.from > filter.to ? [filter.to, filter.from] : [filter.from, filter.to];
  const agentId = session.agents.some((agent) => agent.id === filter.agent) ? filter.agent : null;
  const base: LeadsPageVariables = {
    fromDate, toDate, agentId, temperature: filter.temperature, unreadOnly: filter.unread, minScore, maxScore, first: PAGE_SIZE, after: null,
  };
  const filterKey = JSON.stringify(base);
  // the cursors of the pages before the current one (and the filter they belong to)
  const [cursors, setCursors] = useState<{ key: string; stack: Array<string | null> }>({ key: filterKey, stack: [null] });
  const stack = cursors.key === filterKey ? cursors.stack : [null];
  const after = stack[stack.length - 1] ?? null;
  const leads = useLeadsPage({ ...base, after });
  const markRead = useMarkRead();
  const markLeadsRead = useMarkLeadsRead();
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [followUpFor, setFollowUpFor] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const writer = canWrite(session);

  const page = leads.data?.leadsPage;
  const items = (page?.items ?? []).filter((item): item is LeadItem => item?.leadAnalyticId != null);
  const agentName = (id: string | null | undefined): string => session.agents.find((agent) => agent.id === id)?.name ?? '—';

  const setFilter = (change: Partial<LeadFilter>): void => navigate(`/leads${leadFilterSearch({ ...filter, ...change })}`);

  const toggleRead = async (item: LeadItem): Promise<void> => {
    const id = item.leadAnalyticId ?? '';
    setPending((current) => new Set(current).add(id));
    await markRead.run({ leadAnalyticId: id, isRead: !item.isRead });
    leads.refetch();
    setPending((current) => {
      const next = new Set(current);
      next.delete(id);
      return next;
    });
  };
  const markAll = async (): Promise<void> => {
    await markLeadsRead.run({ fromDate, toDate, agentId, temperature: filter.temperature, minScore, maxScore });
    leads.refetch();
  };

  return (
    <div className="page leads-page" data-page="leads">
      <div className="page-head">
        <div>
          <h1>Leads</h1>
          <p className="muted">A lead is a call with an analysis; a contact with several analysed calls has several leads.</p>
        </div>
      </div>
      <form className="panel leads-filters" aria-label="Filter leads" onSubmit={(event) => event.preventDefault()}>
        <label>
          Temperature
          <select value={filter.temperature ?? ''} onChange={(event) => setFilter({ temperature: event.target.value || null })} data-testid="filter-temperature">
            <option value="">All</option>
            {TEMPERATURES.map((t) => (
              <option key={t} value={t}>{formatLabel(t)}</option>
            ))}
          </select>
        </label>
        <label className="leads-check">
          <input type="checkbox" checked={filter.unread} onChange={(event) => setFilter({ unread: event.target.checked })} data-testid="filter-unread" />
          Unread only
        </label>
        <label>
          Score from
          <input type="number" min={0} max={100} inputMode="numeric" value={filter.min ?? ''} data-testid="filter-min"
            onChange={(event) => setFilter({ min: score(event.target.value) })} />
        </label>
        <label>
          to
          <input type="number" min={0} max={100} inputMode="numeric" value={filter.max ?? ''} data-testid="filter-max"
            onChange={(event) => setFilter({ max: score(event.target.value) })} />
        </label>
        <label>
          Calls from
          <input type="date" value={filter.from ?? ''} max={todayIn(session.timeZone)} data-testid="filter-from"
            onChange={(event) => setFilter({ from: event.target.value || null })} />
        </label>
        <label>
          to
          <input type="date" value={filter.to ?? ''} max={todayIn(session.timeZone)} data-testid="filter-to"
            onChange={(event) => setFilter({ to: event.target.value || null })} />
        </label>
        <label>
          Agent
          <select value={agentId ?? ''} onChange={(event) => setFilter({ agent: event.target.value || null })} data-testid="filter-agent">
            <option value="">All agents</option>
            {session.agents.map((agent) => (
              <option key={agent.id} value={agent.id}>{agent.name}</option>
            ))}
          </select>
        </label>
        <button type="button" className="link-button" onClick={() => navigate('/leads')}>Clear filters</button>
      </form>

      <section className="panel" aria-labelledby="leads-title">
        <div className="panel-head">
          <h2 id="leads-title">
            <span data-testid="leads-total" data-value={page?.totalCount ?? ''}>{formatInteger(page?.totalCount ?? '0')}</span> leads ·{' '}
            <span data-testid="leads-unread" data-value={page?.unreadCount ?? ''}>{formatInteger(page?.unreadCount ?? '0')}</span> unread
          </h2>
          {writer && page && page.unreadCount !== '0' ? (
            <button type="button" onClick={() => void markAll()} disabled={markLeadsRead.pending} data-testid="mark-all-read">
              Mark all {formatInteger(page.unreadCount)} read
            </button>
          ) : null}
        </div>
        <p role="status" className="leads-notice" data-testid="leads-notice">{notice}</p>
        <StatusGate label="leads" loading={leads.loading} error={leads.error} empty={items.length === 0} emptyText="No lead matches these filters." onRetry={leads.refetch}>
          <ul className="leads-list">
            {items.map((item) => {
              const id = item.leadAnalyticId ?? '';
              const who = item.extractedName ?? item.phoneNumber ?? 'Unknown caller';
              return (
                <li key={id} className={`leads-row${item.isRead ? '' : ' leads-row-unread'}`} data-lead-id={id} data-read={item.isRead ? 'true' : 'false'}
                  data-tag={item.leadStatusTag ?? 'untagged'} data-score={item.totalScore ?? ''}>
                  <div className="leads-who">
                    {item.isRead ? null : <span className="badge badge-unread" aria-label="unread">●</span>}
                    {item.contactId ? (
                      <a href={`/contacts/${item.contactId}`} onClick={(event) => follow(event, `/contacts/${item.contactId}`)}><strong>{who}</strong></a>
                    ) : (
                      <strong>{who}</strong>
                    )}
                    {item.companyName ? <span className="muted"> · {item.companyName}</span> : null}
                    <span className={`badge badge-${item.leadStatusTag ?? 'untagged'}`}>{formatLabel(item.leadStatusTag ?? 'untagged')}</span>
                    <span className="muted"> · score {item.totalScore ?? '—'}</span>
                  </div>
                  {item.smartNotification ? <p className="lead-note">{item.smartNotification}</p> : null}
                  <div className="leads-meta muted">
                    {item.phoneNumber ? <a href={`tel:${item.phoneNumber}`}>{item.phoneNumber}</a> : null}
                    <span>{formatDateTime(item.startedAt, session.timeZone)}</span>
                    <span>{agentName(item.agentId)}</span>
                  </div>
                  <div className="leads-actions">
                    {item.callId ? <a href={`/calls/${item.callId}`} onClick={(event) => follow(event, `/calls/${item.callId}`)}>Open call</a> : null}
                    {item.contactId ? (
                      <a href={`/contacts/${item.contactId}`} onClick={(event) => follow(event, `/contacts/${item.contactId}`)}>All calls of this contact</a>
                    ) : null}
                    {writer ? (
                      <>
                        <button type="button" className="link-button" disabled={pending.has(id)} onClick={() => void toggleRead(item)}>
                          {item.isRead ? 'Mark unread' : 'Mark read'}
                        </button>
                        <button type="button" className="link-button" aria-expanded={followUpFor === id} onClick={() => setFollowUpFor(followUpFor === id ? null : id)}>
                          Plan a follow-up
                        </button>
                      </>
                    ) : null}
                  </div>
                  {followUpFor === id ? (
                    <FollowUpForm contactId={item.contactId ?? null} phone={item.phoneNumber ?? ''} name={item.extractedName ?? null}
                      today={todayIn(session.timeZone)}
                      onDone={(created) => {
                        setFollowUpFor(null);
                        if (created) setNotice(`Follow-up planned with ${who}.`);
                      }} />
                  ) : null}
                </li>
              );
            })}
          </ul>
          <nav className="leads-paging" aria-label="Pages">
            <button type="button" disabled={stack.length <= 1} onClick={() => setCursors({ key: filterKey, stack: stack.slice(0, -1) })}>
              ← Newer
            </button>
            <span className="muted" data-testid="leads-page-number">Page {stack.length}</span>
            <button type="button" disabled={!page?.hasNextPage} data-testid="leads-next"
              onClick={() => setCursors({ key: filterKey, stack: [...stack, page?.endCursor ?? null] })}>
              Older →
            </button>
          </nav>
        </StatusGate>
      </section>
    </div>
  );
}

/** A follow-up with a lead: a date (today or later) and a remark. */
export function FollowUpForm({ contactId, phone, name, today, onDone }: {
  contactId: string | null; phone: string; name: string | null; today: string; onDone(created: boolean): void;
}) {
  const create = useCreateFollowUp();
  const [date, setDate] = useState(today);
  const [remark, setRemark] = useState('');
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const result = await create.run({ contactId, leadPhone: phone, leadName: name, followUpDate: date, remark: remark.trim() || null });
    if (result?.createFollowUp?.followUp) onDone(true);
  };
  return (
    <form className="follow-up-form" onSubmit={(event) => void submit(event)} aria-label={`Follow-up with ${name ?? phone}`}>
      <label>
        Date
        <input type="date" required min={today} value={date} onChange={(event) => setDate(event.target.value)} data-testid="follow-up-date" />
      </label>
      <label className="follow-up-remark">
        Remark
        <input type="text" maxLength={500} value={remark} onChange={(event) => setRemark(event.target.value)} data-testid="follow-up-remark" />
      </label>
      <button type="submit" disabled={create.pending} data-testid="follow-up-save">Save follow-up</button>
      <button type="button" className="link-button" onClick={() => onDone(false)}>Cancel</button>
      {create.error ? <p role="alert" className="error">{create.error.message}</p> : null}
    </form>
  );
}
