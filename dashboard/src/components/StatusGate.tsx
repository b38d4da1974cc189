/** The one loading / error / empty gate every panel goes through. */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

export interface StatusGateProps {
  /** What is loading, for screen readers ("overview", "leaderboard"). */
  label: string;
  loading: boolean;
  error: ApiError | undefined;
  /** True when the answer has nothing to show. */
  empty?: boolean;
  emptyText?: string;
  onRetry?: () => void;
  /** The content shows earlier figures while new ones load: kept on screen, marked as updating (aria-busy). */
  updating?: boolean;
  children: ReactNode;
}

export function StatusGate({ label, loading, error, empty = false, emptyText, onRetry, updating = false, children }: StatusGateProps) {
  if (error) {
    return (
      <div className="state state-error" role="alert" data-state="error">
        <p>
          Could not load the {label}: {error.message}
        </p>
        {onRetry ? (
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    );
  }
  if (loading) {
    return (
      <div className="state state-loading" role="status" aria-live="polite" data-state="loading">
        <span className="spinner" aria-hidden="true" /> Loading the {label}…
      </div>
    );
  }
  if (empty) {
    return (
      <div className="state state-empty" data-state="empty">
        {emptyText ?? `No ${label} for this period.`}
      </div>
    );
  }
  return (
    <div className={updating ? 'gate gate-updating' : 'gate'} aria-busy={updating} data-state={updating ? 'updating' : undefined}>
      <p className="updating-note" role="status" aria-live="polite">
        {updating ? (
          <>
            <span className="spinner" aria-hidden="true" /> Updating the {label}: the figures below are the previous ones.
          </>
        ) : null}
      </p>
      {children}
    </div>
  );
}
