/**
 * "live · updated 3 s ago" (since the last answer; while the live-update stream is connected
 * figures refresh as they change, so an old time means nothing changed), the newest call and
 * pending rollup changes (dataFreshness).
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { onLiveStateChange, readLiveState } from '../api/live-updates.ts';
import type { Freshness as FreshnessData } from '../api/operations/overview.ts';
import { formatAge, formatDateTime, formatInteger } from '../format.ts';

export interface FreshnessProps {
  receivedAt: number | undefined;
  freshness?: FreshnessData | null;
  timeZone: string;
  stale?: boolean;
}

export function Freshness({ receivedAt, freshness, timeZone, stale = false }: FreshnessProps) {
  const [now, setNow] = useState(() => Date.now());
  const live = useSyncExternalStore(onLiveStateChange, readLiveState);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);
  if (receivedAt === undefined) return null;
  return (
    <p className="freshness muted" data-testid="freshness">
      {live === 'off' ? null : (
        <span className={live === 'live' ? 'badge' : 'badge badge-alert'} data-testid="live-state" data-state={live}>
          {live === 'live' ? 'live' : 'reconnecting…'}
        </span>
      )}{' '}
      <span aria-live="off">{formatAge(now - receivedAt)}</span>
      {stale ? <span className="badge badge-alert"> offline: showing the last figures</span> : null}
      {freshness?.latestCallAt ? <> · latest call {formatDateTime(freshness.latestCallAt, timeZone)}</> : null}
      {freshness?.pendingRollupChanges && freshness.pendingRollupChanges !== '0' ? (
        <> · {formatInteger(freshness.pendingRollupChanges)} changes not yet compacted (already counted)</>
      ) : null}
    </p>
  );
}
