/**
 * The shared engine of the data hooks: runs a typed document, keeps
 * loading / error / data, refetches when the business's figures change
 * (`live`: the server pushes "changed", api/live-updates.ts; so new calls
 * appear without a reload and an idle page sends nothing) or every `pollMs`
 * (a job being watched), and cancels stale requests. A new
 * set of variables starts from a clean state, unless `keepPrevious`: then the
 * last answer stays on screen, flagged `stale`, until the new one arrives (a
 * range or agent change does not blank the page; the page marks the figures as
 * updating).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, request } from '../api/client.ts';
import { subscribeLive } from '../api/live-updates.ts';
import type { TypedDocument } from '../api/scalars.ts';

export interface QueryState<TData> {
  data: TData | undefined;
  error: ApiError | undefined;
  /** True while nothing can be shown: no answer yet for the current variables (nor, with keepPrevious, an earlier one). */
  loading: boolean;
  /** `data` answers earlier variables (keepPrevious): the current ones are on their way. */
  stale: boolean;
  /** The last refetch failed while older data is still shown. */
  refreshError: ApiError | undefined;
  /** When the current data arrived (client clock, ms). */
  receivedAt: number | undefined;
  refetch(): void;
}

export interface QueryOptions {
  /**
   * Refetch when the server says the business's figures changed, and once after the event stream
   * reconnected (true); only after a reconnect ('reconnect': data that no call changes, e.g. the session).
   */
  live?: boolean | 'reconnect';
  /** Refetch interval while something is being watched (a job's progress); 0 or absent: no polling. */
  pollMs?: number;
  /** Skip the request (e.g. a missing id). */
  skip?: boolean;
  /** Keep showing the last answer (flagged stale) while new variables load. */
  keepPrevious?: boolean;
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : 'Unexpected error.', 'UNKNOWN');
}

export function useQuery<TData, TVariables extends Record<string, unknown>>(
  doc: TypedDocument<TData, TVariables>,
  variables: TVariables,
  { live = false, pollMs = 0, skip = false, keepPrevious = false }: QueryOptions = {},
): QueryState<TData> {
  const key = `${doc.name}:${JSON.stringify(variables)}`;
  const [state, setState] = useState<{ key: string; data?: TData; error?: ApiError; receivedAt?: number }>({ key });
  const [tick, setTick] = useState(0);
  const variablesRef = useRef(variables);
  variablesRef.current = variables;

  const refetch = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (skip) return undefined;
    const controller = new AbortController();
    request(doc, variablesRef.current, { signal: controller.signal }).then(
      (data) => setState({ key, data, receivedAt: Date.now() }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((previous) => ({ ...(previous.key === key ? previous : {}), key, error: toApiError(error) }));
      },
    );
    return () => controller.abort();
  }, [doc, key, skip, tick]);

  useEffect(() => {
    if (skip || live === false) return undefined;
    return subscribeLive((reason) => {
      if (live === true || reason === 'reconnected') refetch();
    });
  }, [live, skip, refetch]);

  useEffect(() => {
    if (skip || pollMs <= 0) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') refetch();
    }, pollMs);
    return () => window.clearInterval(timer);
  }, [pollMs, skip, refetch]);

  const stale = state.key !== key && keepPrevious && !skip && state.data !== undefined;
  const current = state.key === key ? state : stale ? { key, data: state.data, receivedAt: state.receivedAt } : { key };
  return {
    data: current.data,
    error: current.data === undefined ? current.error : undefined,
    refreshError: current.data === undefined ? undefined : current.error,
    loading: !skip && current.data === undefined && current.error === undefined,
    stale,
    receivedAt: current.receivedAt,
    refetch,
  };
}
