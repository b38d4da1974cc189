/**
 * "Hot leads to call back": the range's (and agent's) hot leads, the same set the Hot leads card counts
 * (calls whose analysis is hot), with how many are unread, the newest unread ones, mark-as-read and a
 * link to all of them on the leads page.
 */
import type { MouseEvent } from 'react';
import type { NotificationItem } from '../api/operations/overview.ts';
import { formatDateTime, formatInteger } from '../format.ts';

export interface HotLeadsProps {
  items: ReadonlyArray<NotificationItem | null> | null | undefined;
  /** The Hot leads card's figure (hot leads of the range and agent). */
  hotLeads: string | null | undefined;
  /** Of those, not yet marked read. */
  unread: string | null | undefined;
  timeZone: string;
  /** The leads page with the same range, agent and temperature (the card's set). */
  leadsHref: string;
  /** Ids being marked right now (their buttons are disabled). */
  pending: ReadonlySet<string>;
  /** Null for viewers (no write controls). */
  onMarkRead: ((leadAnalyticId: string) => void) | null;
  onMarkAllRead: (() => void) | null;
  onOpen(href: string): void;
}

export function HotLeads({ items, hotLeads, unread, timeZone, leadsHref, pending, onMarkRead, onMarkAllRead, onOpen }: HotLeadsProps) {
  const present = (items ?? []).filter((item): item is NotificationItem => item?.leadAnalyticId != null);
  const unreadCount = unread ?? '0';
  const follow = (event: MouseEvent<HTMLAnchorElement>, href: string): void => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onOpen(href);
  };
  return (
    <section className="panel hot-leads" aria-labelledby="hot-leads-title">
      <div className="panel-head">
        <h2 id="hot-leads-title">
          Hot leads to call back{' '}
          <span className="badge badge-alert" data-testid="unread-count" data-value={unreadCount} aria-label={`${formatInteger(unreadCount)} unread`}>
            {formatInteger(unreadCount)}
          </span>
        </h2>
        {present.length > 0 && onMarkAllRead ? (
          <button type="button" className="link-button" onClick={onMarkAllRead}>
            Mark these read
          </button>
        ) : null}
      </div>
      <p className="muted hot-leads-summary" data-testid="inbox-summary" data-hot={hotLeads ?? '0'} data-unread={unreadCount}>
        {formatInteger(hotLeads ?? '0')} hot leads in this period (calls whose analysis is hot, as the Hot leads card),{' '}
        {formatInteger(unreadCount)} unread.
      </p>
      {present.length === 0 ? (
        <div className="state state-empty" data-state="empty">Nothing to call back: every hot lead of this period is read.</div>
      ) : (
        <ul className="lead-list">
          {present.map((item) => {
            const id = item.leadAnalyticId ?? '';
            const who = item.extractedName ?? item.phoneNumber ?? 'Unknown caller';
            return (
              <li key={id} className="lead-item" data-lead-id={id}>
                <div className="lead-main">
                  <span className="badge badge-unread" aria-hidden="true">●</span>
                  {item.contactId ? (
                    <a href={`/contacts/${item.contactId}`} onClick={(event) => follow(event, `/contacts/${item.contactId}`)}>
                      <strong>{who}</strong>
                    </a>
                  ) : (
                    <strong>{who}</strong>
                  )}
                  {item.companyName ? <span className="muted"> · {item.companyName}</span> : null}
                  <span className="badge badge-hot">Hot</span>
                  {item.totalScore !== null ? <span className="muted"> · score {item.totalScore}</span> : null}
                </div>
                {item.smartNotification ? <p className="lead-note">{item.smartNotification}</p> : null}
                <div className="lead-meta muted">
                  {item.phoneNumber ? <a href={`tel:${item.phoneNumber}`}>{item.phoneNumber}</a> : null} · {formatDateTime(item.startedAt, timeZone)}
                  {onMarkRead ? (
                    <button type="button" className="link-button" disabled={pending.has(id)} onClick={() => onMarkRead(id)} aria-label={`Mark as read: ${who}`}>
                      Mark as read
                    </button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <p className="hot-leads-more">
        <a href={leadsHref} data-testid="inbox-all" onClick={(event) => follow(event, leadsHref)}>
          See all {formatInteger(hotLeads ?? '0')} hot leads on the leads page →
        </a>
      </p>
    </section>
  );
}
