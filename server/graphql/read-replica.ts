/**
 * GraphQL reads on a streaming replica (GRAPHQL_READ_DATABASE_URL), with
 * read-your-writes.
 *
 * Routing, per request (decided in the GraphQL context, server/graphql/context.ts):
 * - a query runs on the replica pool, through the same adaptor as the primary
 *   (pg-adaptor.ts): the same role switch, claims, statement timeout and, for
 *   viewers and read-only keys, `transaction_read_only`, so RLS and roles act
 *   exactly as on the primary (a standby refuses every write anyway);
 * - a mutation (and anything not a query) runs on the primary, as does sign-in;
 *   the webhooks, the worker, request authentication and the REST routes never
 *   use this router (they hold the primary's pools).
 *
 * Read-your-writes: after each database call of a mutation the primary's WAL
 * insert position (`pg_current_wal_insert_lsn()`, read after the commit, so at
 * or past the commit record even with asynchronous commit) is kept in memory
 * for the business that wrote (`jwt.claims.user_id`) and for every business a
 * JWT was issued to in that request (sign-up, sign-in). A later query of that
 * business runs on the replica only once `pg_last_wal_replay_lsn()` there has
 * reached that position: the replica's replay position is cached (it only
 * grows), so a business whose writes the replica has already replayed costs
 * nothing; otherwise the read polls the replica for at most
 * GRAPHQL_READ_MAX_WAIT_MS and then runs on the primary. The decision is taken
 * once per request, so one response never mixes the two databases. A request
 * that cannot reach the replica (connection refused, recovery conflict) is
 * answered by the primary, and the replica is skipped for a few seconds.
 *
 * The positions are per server process: with several API processes behind a
 * load balancer, a user's next read may reach a process that did not see the
 * write (use sticky sessions, or one API process per replica set).
 */
import { getOperationAST, type DocumentNode } from 'graphql';
import type pg from 'pg';
import { Counter, type Registry } from 'prom-client';
import type { JwtSubject } from '../auth/jwt.ts';
import { toError, type Logger } from '../../kernel/log.ts';
import { makeWithPgClient, type WithPgClient } from './pg-adaptor.ts';

/** Cap on businesses with a write the replica may not have replayed yet (oldest forgotten first). */
const MAX_TRACKED = 100_000;
/** After a failed connection to the replica, reads go to the primary for this long. */
const UNAVAILABLE_BACKOFF_MS = 5_000;
/** Pause between two looks at the replica's replay position while a read waits. */
const POLL_MS = 5;

/** A WAL position (`X/Y`, hexadecimal) as a number of bytes. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  if (high === undefined || low === undefined) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** Where the GraphQL database calls went, since start (for the bench and /metrics). */
export interface ReadRouterCounts {
  /** Database calls of queries answered by the replica. */
  replicaCalls: number;
  /** Database calls of queries answered by the primary (fallbacks). */
  primaryReadCalls: number;
  /** Database calls of mutations (always the primary). */
  writeCalls: number;
  /** Queries sent to the primary because the replica had not replayed the caller's last write in time. */
  fallbackBehind: number;
  /** Queries sent to the primary because the replica could not be reached or cancelled the query. */
  fallbackUnavailable: number;
  /** Queries that waited for the replica and then ran there. */
  waitedThenReplica: number;
}

/** What one GraphQL request's context holds: its `withPgClient` and a JWT signer that notes issued businesses. */
export interface RoutedRequest {
  withPgClient: WithPgClient;
  wrapIssueJwt(issueJwt: (subject: JwtSubject) => string): (subject: JwtSubject) => string;
}

export interface ReadRouter {
  /** The routing for one request: `operation` is the GraphQL operation type (null: unknown, runs on the primary). */
  forRequest(operation: 'query' | 'mutation' | 'subscription' | null, tenantId: string | null): RoutedRequest;
  counts(): ReadRouterCounts;
  /** The caller's pending write position, if the replica has not yet been seen past it (tests). */
  pendingLsn(tenantId: string): bigint | undefined;
}

export interface ReadRouterOptions {
  /** The primary's background-lane pool (server/graphql/lanes.ts), if any. */
  primaryBackgroundPool?: pg.Pool;
  /** The GraphQL pool on the primary (app_authenticator). */
  primaryPool: pg.Pool;
  /** The same login on the replica. */
  replicaPool: pg.Pool;
  /** GRAPHQL_READ_MAX_WAIT_MS. */
  maxWaitMs: number;
  logger: Logger;
  /** Clock (tests). */
  now?: () => number;
}

/** The operation a GraphQL document runs (null when it names none that exists). */
export function operationType(document: DocumentNode | undefined, operationName: string | null | undefined): RoutedOperation {
  if (!document) return null;
  return getOperationAST(document, operationName ?? undefined)?.operation ?? null;
}
type RoutedOperation = 'query' | 'mutation' | 'subscription' | null;

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** A standby cancelled the query because replay needed its rows or locks ("conflict with recovery"). */
function isRecoveryConflict(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '57P04';
}

export function createReadRouter(options: ReadRouterOptions): ReadRouter {
  const { primaryPool, replicaPool, maxWaitMs, logger } = options;
  const now = options.now ?? Date.now;
  // the background lane (lanes.ts) on the primary; the replica has one pool for every read
  const primary = makeWithPgClient({ interactive: primaryPool, background: options.primaryBackgroundPool });
  const replica = makeWithPgClient({ interactive: replicaPool });
  /** Business -> the primary's WAL position after its last write (insertion order: oldest first). */
  const pending = new Map<string, bigint>();
  let replayed = 0n;
  let refreshing: Promise<bigint> | undefined;
  let unavailableUntil = 0;
  const counts: ReadRouterCounts = {
    replicaCalls: 0,
    primaryReadCalls: 0,
    writeCalls: 0,
    fallbackBehind: 0,
    fallbackUnavailable: 0,
    waitedThenReplica: 0,
  };

  const markUnavailable = (error: unknown): void => {
    if (now() >= unavailableUntil) logger.warn(`read replica unavailable, reading from the primary for ${UNAVAILABLE_BACKOFF_MS / 1000} s: ${toError(error).message}`);
    unavailableUntil = now() + UNAVAILABLE_BACKOFF_MS;
  };

  /** The replica's replay position now (one query shared by every waiting read). */
  const refreshReplayed = (): Promise<bigint> => {
    refreshing ??= replicaPool
      .query<{ lsn: string | null }>('select pg_last_wal_replay_lsn()::text as lsn')
      .then(({ rows }) => {
        const lsn = rows[0]?.lsn;
        if (lsn) {
          const value = parseLsn(lsn);
          if (value > replayed) replayed = value;
        }
        return replayed;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  /** Has (or will, within maxWaitMs) the replica replayed `lsn`? */
  const replicaReached = async (lsn: bigint): Promise<{ reached: boolean; waited: boolean }> => {
    if (replayed >= lsn) return { reached: true, waited: false };
    const deadline = now() + maxWaitMs;
    for (;;) {
      if ((await refreshReplayed()) >= lsn) return { reached: true, waited: true };
      const left = deadline - now();
      if (left <= 0) return { reached: false, waited: true };
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
    }
  };

  const noteWrite = (tenantId: string, lsn: bigint): void => {
    const previous = pending.get(tenantId);
    if (previous !== undefined && previous >= lsn) return;
    pending.delete(tenantId); // re-inserted last: the map stays ordered by last write
    pending.set(tenantId, lsn);
    if (pending.size > MAX_TRACKED) {
      const oldest = pending.keys().next().value;
      if (oldest !== undefined) pending.delete(oldest);
    }
  };

  /** The primary's WAL insert position (after the caller's commit). */
  const primaryPosition = async (): Promise<bigint> => {
    const { rows } = await primaryPool.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    const lsn = rows[0]?.lsn;
    if (!lsn) throw new Error('pg_current_wal_insert_lsn() returned nothing');
    return parseLsn(lsn);
  };

  /** Where this tenant's query runs: the replica unless it is unreachable or behind the tenant's last write. */
  const chooseForRead = async (tenantId: string | null): Promise<'replica' | 'primary'> => {
    if (now() < unavailableUntil) {
      counts.fallbackUnavailable += 1;
      return 'primary';
    }
    const needed = tenantId === null ? undefined : pending.get(tenantId);
    if (needed === undefined) return 'replica';
    let outcome: { reached: boolean; waited: boolean };
    try {
      outcome = await replicaReached(needed);
    } catch (error) {
      markUnavailable(error);
      counts.fallbackUnavailable += 1;
      return 'primary';
    }
    if (!outcome.reached) {
      counts.fallbackBehind += 1;
      return 'primary';
    }
    if (outcome.waited) counts.waitedThenReplica += 1;
    // Replay only moves forward: this write no longer needs checking (unless a newer one came meanwhile).
    if (tenantId !== null && pending.get(tenantId) === needed) pending.delete(tenantId);
    return 'replica';
  };

  const readRequest = (tenantId: string | null): WithPgClient => {
    let decision: Promise<'replica' | 'primary'> | undefined;
    const withPgClient: WithPgClient = async (settings, callback) => {
      decision ??= chooseForRead(tenantId);
      if ((await decision) === 'primary') {
        counts.primaryReadCalls += 1;
        return primary(settings, callback);
      }
      let started = false;
      try {
        const result = await replica(settings, (client) => {
          started = true;
          return callback(client);
        });
        counts.replicaCalls += 1;
        return result;
      } catch (error) {
        // Nothing ran yet (no connection), or the standby cancelled a read: the primary answers.
        if (started && !isRecoveryConflict(error)) throw error;
        if (!started) markUnavailable(error);
        decision = Promise.resolve('primary');
        counts.fallbackUnavailable += 1;
        counts.primaryReadCalls += 1;
        return primary(settings, callback);
      }
    };
    return withPgClient;
  };

  const writeRequest = (tenantId: string | null): RoutedRequest => {
    let lastWrite: bigint | undefined;
    const issuedTo = new Set<string>();
    const record = async (): Promise<void> => {
      try {
        lastWrite = await primaryPosition();
      } catch (error) {
        logger.warn(`could not read the primary's WAL position after a write: ${toError(error).message}`);
        return;
      }
      for (const id of [tenantId, ...issuedTo]) if (id) noteWrite(id, lastWrite);
    };
    const withPgClient: WithPgClient = async (settings, callback) => {
      counts.writeCalls += 1;
      try {
        return await primary(settings, callback);
      } finally {
        await record();
      }
    };
    return {
      withPgClient,
      wrapIssueJwt: (issueJwt) => (subject) => {
        // Sign-up / sign-in: the new token's business reads its own rows next.
        issuedTo.add(subject.userId);
        if (lastWrite !== undefined) noteWrite(subject.userId, lastWrite);
        return issueJwt(subject);
      },
    };
  };

  return {
    forRequest(operation, tenantId) {
      if (operation === 'query') return { withPgClient: readRequest(tenantId), wrapIssueJwt: (issueJwt) => issueJwt };
      return writeRequest(tenantId);
    },
    counts: () => ({ ...counts }),
    pendingLsn: (tenantId) => pending.get(tenantId),
  };
}

/**
 * GRAPHQL_READ_DATABASE_URL with the GraphQL pool's login when it names no user
 * (the replica has the primary's roles and passwords: they are replicated).
 */
export function replicaConnectionString(readUrl: string, authUrl: string): string {
  const url = new URL(readUrl);
  if (url.username) return readUrl;
  const auth = new URL(authUrl);
  url.username = auth.username;
  url.password = auth.password;
  return url.toString();
}

/** Snake-case event names of the counters (`replicaCalls` -> `replica_calls`). */
const EVENT_NAMES: Record<keyof ReadRouterCounts, string> = {
  replicaCalls: 'replica_calls',
  primaryReadCalls: 'primary_read_calls',
  writeCalls: 'write_calls',
  fallbackBehind: 'fallback_behind',
  fallbackUnavailable: 'fallback_unavailable',
  waitedThenReplica: 'waited_then_replica',
};

/** `switchboard_graphql_read_routing_total{event}` on /metrics: the router's counters, read at scrape time. */
export function registerReadRouterMetrics(registry: Registry, router: ReadRouter): void {
  new Counter({
    name: 'switchboard_graphql_read_routing_total',
    help: 'GraphQL database calls by where they ran (replica_calls, primary_read_calls: queries; write_calls: mutations) and query routing events (fallback_behind: the replica had not replayed the caller\'s last write in time; fallback_unavailable: the replica could not be reached; waited_then_replica).',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = router.counts();
      for (const key of Object.keys(EVENT_NAMES) as Array<keyof ReadRouterCounts>) this.inc({ event: EVENT_NAMES[key] }, counts[key]);
    },
  });
}
