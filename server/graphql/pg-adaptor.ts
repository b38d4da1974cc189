/**
 * PostGraphile's `pg` adaptor, with a request's reads in ONE round trip.
 *
 * The stock adaptor scopes a request's `pgSettings` (role, claims, statement
 * timeout, read-only) with a transaction: `begin`, `select set_config(...)`,
 * the query, `commit`: four round trips and four socket writes on each side
 * for one read. On this project's 2-core VM a loopback socket write costs
 * about 0.3 ms of CPU (the sender also runs the receiver's TCP path), so the
 * round trips were a large share of the API's CPU per request (CPU profile
 * of the GraphQL benchmark: writev/writeBuffer 19% of the API process).
 *
 * Here a query sent outside `withTransaction` travels as one extended-protocol
 * pipeline: Bind/Execute of the named statement `select set_config($1, $2, true), ...`
 * with the keys and values as parameters (Parse only on its first use on the
 * connection: PostgreSQL then skips parsing and planning it for every query),
 * then Parse/Bind/Describe/Execute of the query, then one Sync. PostgreSQL runs
 * every message before a Sync in one implicit transaction, so the settings are
 * local to it exactly as after `begin` (they end at the Sync, commit or
 * rollback), and an error anywhere rolls the whole pipeline back. One write,
 * one round trip, no `begin`/`commit` statements.
 *
 * Semantics, as tested in tests/api/pg-adaptor.test.ts:
 * - settings apply to the query and never outlive it on the pooled connection;
 * - each query outside `withTransaction` is atomic on its own (as PostgreSQL's
 *   autocommit, and as the stock adaptor without settings): work that must be
 *   atomic across statements uses `withTransaction`, as PostGraphile's
 *   mutations and our side-effect plans do (one statement each, or an explicit
 *   transaction);
 * - `withTransaction` opens a real transaction: `begin` and the settings in
 *   one simple-protocol message, commit or rollback at the end, nested calls
 *   become savepoints (the stock client, told it is already in a transaction);
 * - settings travel as parameters (pipeline) or quoted with `escapeLiteral`
 *   (`withTransaction`), never interpolated raw.
 * A named (prepared) statement rides the pipeline only once this connection
 * has parsed it (pg then skips its Parse); its first use takes the
 * transaction path, where pg parses it and the stock client registers it in
 * its per-connection cache (100 statements, least recently registered
 * deallocated first). Pipelined uses do not refresh that order, so with more
 * than 100 distinct statements on one connection a busy one may be
 * deallocated and take the transaction path once more: correct, only slower.
 * Without settings (schema introspection) the stock path runs.
 */
import pg from 'pg';
import type { NoticeMessage } from 'pg-protocol/dist/messages.js';
import {
  createWithPgClient as createStockWithPgClient,
  makePgService,
  makeWithPgClientViaPgClientAlreadyInTransaction,
  type NodePostgresPgClient,
} from 'postgraphile/adaptors/pg';
import { LANE_SETTING } from './lanes.ts';

type PgService = ReturnType<typeof makePgService>;
export type WithPgClient = ReturnType<typeof createStockWithPgClient>;
type Settings = Parameters<WithPgClient>[0];
type ClientQuery = Parameters<NodePostgresPgClient['query']>[0];
type ClientResult<TData> = Awaited<ReturnType<NodePostgresPgClient['query']>> & { rows: readonly TData[] };
type Notice = NonNullable<ClientResult<unknown>['notices']>[number];

const configured = new WeakSet<pg.PoolClient>();

/** The first use of a pooled connection turns off JIT optimisation, as the stock adaptor does. */
const FIRST_USE = 'set jit_optimize_above_cost = -1';

function settingsSelect(client: Pick<pg.PoolClient, 'escapeLiteral'>, settings: ReadonlyArray<[string, string]>): string {
  return `select ${settings.map(([key, value]) => `set_config(${client.escapeLiteral(key)}, ${client.escapeLiteral(value)}, true)`).join(', ')}`;
}

/**
 * The pipelined settings statement for `count` settings, with the keys and values as parameters: a named
 * statement per count, parsed and planned once per connection instead of once per query.
 */
function settingsStatement(count: number): { name: string; text: string } {
  let statement = settingsStatements.get(count);
  if (!statement) {
    const calls = Array.from({ length: count }, (_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
    statement = { name: `switchboard_settings_${count}`, text: `select ${calls.join(', ')}` };
    settingsStatements.set(count, statement);
  }
  return statement;
}
const settingsStatements = new Map<number, { name: string; text: string }>();

function settingEntries(pgSettings: Settings): Array<[string, string]> {
  if (pgSettings == null) return [];
  return Object.entries(pgSettings).flatMap(([key, value]): Array<[string, string]> => (value == null ? [] : [[key, value]]));
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** pg's `Query` internals this adaptor extends (not part of @types/pg). */
interface QueryInternals {
  prepare(connection: pg.Connection): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: pg.Connection): void;
}
const queryInternals = pg.Query.prototype as unknown as QueryInternals;

/** pg's `Connection` bookkeeping of the statements it has parsed (by name), from the connection itself. */
function connectionStatements(connection: pg.Connection): Record<string, string> {
  return (connection as unknown as { parsedStatements: Record<string, string> }).parsedStatements;
}

/** pg's `Connection` bookkeeping of the statements it has parsed (by name). */
function parsedStatements(client: pg.PoolClient): Record<string, string> | undefined {
  const connection = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection;
  return connection?.parsedStatements;
}

type QueryCallback = (error: Error | undefined, result: pg.QueryResult) => void;

/**
 * A pg `Query` that sends the settings statement ahead of itself in the same
 * pipeline (one write, one Sync). The settings statement is not described, so
 * its only answers are ParseComplete/BindComplete (which pg ignores), one data
 * row and one CommandComplete: both are swallowed here, and the query's own
 * result is all the caller sees.
 */
class SettingsThenQuery extends pg.Query {
  #settingsDone = false;
  readonly #settings: ReadonlyArray<[string, string]>;

  constructor(config: pg.QueryConfig, settings: ReadonlyArray<[string, string]>, callback: QueryCallback) {
    super({ ...config, queryMode: 'extended' } as pg.QueryConfig, callback);
    this.#settings = settings;
  }

  prepare(connection: pg.Connection): void {
    // The named settings statement (parsed once per connection: a prepared statement outlives a failed
    // pipeline), bound to the unnamed portal, which the query's own Bind replaces.
    const statement = settingsStatement(this.#settings.length);
    const parsed = connectionStatements(connection);
    if (parsed[statement.name] !== statement.text) {
      connection.parse({ text: statement.text, name: statement.name, types: [] }, true);
      parsed[statement.name] = statement.text;
    }
    connection.bind({ portal: '', statement: statement.name, values: this.#settings.flat() }, true);
    connection.execute({ portal: '' }, true);
    queryInternals.prepare.call(this, connection);
  }

  handleDataRow(message: unknown): void {
    if (this.#settingsDone) queryInternals.handleDataRow.call(this, message);
  }

  handleCommandComplete(message: unknown, connection: pg.Connection): void {
    if (!this.#settingsDone) {
      this.#settingsDone = true;
      return;
    }
    queryInternals.handleCommandComplete.call(this, message, connection);
  }
}

function toNotice(message: NoticeMessage): Notice {
  const severity = message.severity === 'DEBUG' || message.severity === 'LOG' || message.severity === 'INFO' || message.severity === 'WARNING'
    ? message.severity
    : 'NOTICE';
  return {
    severity,
    message: message.message ?? '',
    code: message.code,
    detail: message.detail,
    hint: message.hint,
    where: message.where,
    schema: message.schema,
    table: message.table,
    column: message.column,
    dataType: message.dataType,
    constraint: message.constraint,
  };
}

/** The settings and the query in one round trip (see the header). */
async function pipelined<TData>(client: pg.PoolClient, settings: ReadonlyArray<[string, string]>, opts: ClientQuery): Promise<ClientResult<TData>> {
  const notices: Notice[] = [];
  const onNotice = (message: NoticeMessage): void => {
    notices.push(toNotice(message));
  };
  client.addListener('notice', onNotice);
  try {
    const result = await new Promise<pg.QueryResult>((resolve, reject) => {
      const config: pg.QueryConfig = { text: opts.text, values: opts.values, name: opts.name };
      const query = new SettingsThenQuery(opts.arrayMode ? { ...config, rowMode: 'array' } as pg.QueryConfig : config, settings, (error, res) =>
        error ? reject(error) : resolve(res));
      client.query(query);
    });
    return { rows: result.rows as TData[], rowCount: result.rowCount, notices };
  } finally {
    client.removeListener('notice', onNotice);
  }
}

/** The GraphQL pools: every request on `interactive`, except background-lane ones (lanes.ts) when `background` is given. */
export interface GraphqlPools {
  interactive: pg.Pool;
  background?: pg.Pool;
}

/** GraphQL's `withPgClient` on these pools (also the read replica's, with one pool: server/graphql/read-replica.ts). */
export function makeWithPgClient(pools: GraphqlPools): WithPgClient {
  const withPgClient: WithPgClient = async (pgSettings, callback) => {
    const settings = settingEntries(pgSettings);
    const pool = pools.background && pgSettings?.[LANE_SETTING] === 'background' ? pools.background : pools.interactive;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      if (settings.length === 0) {
        return await makeWithPgClientViaPgClientAlreadyInTransaction(client, false)(null, callback);
      }
      if (!configured.has(client)) {
        await client.query(FIRST_USE);
        configured.add(client);
      }

      /** A real transaction carrying the settings; nested calls are savepoints. */
      const withTransaction = async <T>(inner: (tx: NodePostgresPgClient) => Promise<T>): Promise<T> => {
        const inTransaction = makeWithPgClientViaPgClientAlreadyInTransaction(client, true);
        try {
          await client.query(`begin; ${settingsSelect(client, settings)}`);
          const result = await inTransaction(null, inner);
          await client.query('commit');
          return result;
        } catch (error) {
          // Also after a failed begin (an unknown role, say): the connection may be
          // inside an aborted transaction. If even the rollback fails, its state
          // is unknown and it is destroyed instead of going back to the pool.
          await client.query('rollback').catch((rollbackError: unknown) => {
            broken = asError(rollbackError);
          });
          throw error;
        } finally {
          await inTransaction.release?.();
        }
      };

      // One call at a time on the connection, as the stock client queues them.
      let queue: Promise<unknown> = Promise.resolve();
      const serialise = <T>(work: () => Promise<T>): Promise<T> => {
        const result = queue.then(work);
        queue = result.catch(() => undefined);
        return result;
      };

      const pgClient: NodePostgresPgClient = {
        rawClient: client,
        query<TData>(opts: ClientQuery) {
          return serialise(() => {
            const canPipeline = opts.name == null || parsedStatements(client)?.[opts.name] === opts.text;
            return canPipeline
              ? pipelined<TData>(client, settings, opts)
              : withTransaction((tx) => tx.query<TData>(opts));
          });
        },
        withTransaction<T>(inner: (tx: NodePostgresPgClient) => Promise<T>) {
          return serialise(() => withTransaction(inner));
        },
      };
      return await callback(pgClient);
    } finally {
      client.release(broken);
    }
  };
  return withPgClient;
}

/** `makePgService` whose GraphQL requests go through `makeWithPgClient` (superuser variant: stock). */
export function makeFastPgService(options: Parameters<typeof makePgService>[0] & { pool: pg.Pool; backgroundPool?: pg.Pool }): PgService {
  const { backgroundPool, ...stockOptions } = options;
  const service = makePgService(stockOptions);
  const stock = service.adaptor;
  return {
    ...service,
    adaptor: {
      ...stock,
      createWithPgClient: (settings, variant) =>
        variant === 'SUPERUSER' ? stock.createWithPgClient(settings, variant) : makeWithPgClient({ interactive: options.pool, background: backgroundPool }),
    },
  };
}
