/** "Hot leads to call back": the newest unread smart notifications, with the unread count and mark-as-read. */
import type { NotificationItem } from '../api/operations/overview.ts';
import { formatDateTime, formatInteger, formatLabel } from '../format.ts';

export interface HotLeadsProps {
  items: ReadonlyArray<NotificationItem | null> | null | undefined;
  unread: string | null | undefined;
  timeZone: string;
  /** Ids being marked right now (their buttons are disabled). */
  pending: ReadonlySet<string>;
  onMarkRead(leadAnalyticId: string): void;
  onMarkAllRead(): void;
}

export function HotLeads({ items, unread, timeZone, pending, onMarkRead, onMarkAllRead }: HotLeadsProps) {
  const present = (items ?? []).filter((item): item is NotificationItem => item?.leadAnalyticId != null);
  return (
    <section className="panel hot-leads" aria-labelledby="hot-leads-title">
      <div className="panel-head">
        <h2 id="hot-leads-title">
          Hot leads to call back{' '}
          <span className="badge badge-alert" data-testid="unread-count" data-value={unread ?? '0'} aria-label={`${formatInteger(unread ?? '0')} unread`}>
            {formatInteger(unread ?? '0')}
          </span>
        </h2>
        {present.length > 0 ? (
          <button type="button" className="link-button" onClick={onMarkAllRead}>
            Mark all read
          </button>
        ) : null}
      </div>
      {present.length === 0 ? (
        <div className="state state-empty" data-state="empty">Nothing to call back: every notification is read.</div>
      ) : (
        <ul className="lead-list">
          {present.map((item) => {
            const id = item.leadAnalyticId ?? '';
            const who = item.extractedName ?? item.phoneNumber ?? 'Unknown caller';
            return (
              <li key={id} className="lead-item" data-lead-id={id}>
                <div className="lead-main">
                  <span className="badge badge-unread" aria-hidden="true">●</span>
                  <strong>{who}</strong>
                  {item.companyName ? <span className="muted"> · {item.companyName}</span> : null}
                  {item.leadStatusTag ? <span className={`badge badge-${item.leadStatusTag}`}>{formatLabel(item.leadStatusTag)}</span> : null}
                  {item.totalScore !== null ? <span className="muted"> · score {item.totalScore}</span> : null}
                </div>
                <p className="lead-note">{item.smartNotification}</p>
                <div className="lead-meta muted">
                  {item.phoneNumber ? <a href={`tel:${item.phoneNumber}`}>{item.phoneNumber}</a> : null} · {formatDateTime(item.analyzedAt, timeZone)}
                  <button type="button" className="link-button" disabled={pending.has(id)} onClick={() => onMarkRead(id)} aria-label={`Mark as read: ${who}`}>
                    Mark as read
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
