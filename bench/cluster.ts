/**
 * Where the bench runs: a throwaway embedded cluster it starts itself (normal
 * durability: fsync, synchronous_commit and full_page_writes at their defaults,
 * unlike the tests' ephemeral cluster), or the server in BENCH_DATABASE_URL.
 * Either way every part of the bench gets a fresh migrated database of its own,
 * dropped at the end; the dev database is never touched.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../kernel/config.ts';
import { findFreePort, startEmbeddedPostgres, type EmbeddedCluster } from '../kernel/db/embedded.ts';
import { runMigrations } from '../kernel/db/migrate.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { withDatabase } from '../kernel/db/urls.ts';
import { log, quietLogger } from './log.ts';

export interface BenchDatabase {
  name: string;
  connectionString: string;
  /** Owner (superuser) pool, small; workloads open their own clients. Replaced by `clone()`. */
  readonly pool: pg.Pool;
  /**
   * A copy of this database as it is now (CREATE DATABASE ... TEMPLATE, file copy), so that
   * two sizes of the same data can be measured side by side. Needs every other connection
   * to this database closed; its own pool is closed and reopened.
   */
  clone(label: string): Promise<BenchDatabase>;
  drop(): Promise<void>;
}

export interface BenchServer {
  embedded: boolean;
  /** Superuser connection to the server's maintenance database (the replica part copies its data directory). */
  adminConnectionString: string;
  /** A fresh database with every migration applied. */
  createDatabase(label: string): Promise<BenchDatabase>;
  /** Settings that matter for the figures (shown in results.json). */
  settings(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * Applied to the throwaway cluster only (ALTER SYSTEM, then a restart): a
 * production-like memory size and fewer forced checkpoints. The bench issues a
 * CHECKPOINT between runs itself so every run starts from the same state.
 */
const EMBEDDED_SETTINGS: Record<string, string> = {
  shared_buffers: '1GB',
  max_wal_size: '4GB',
  checkpoint_timeout: '15min',
};

const REPORTED_SETTINGS = [
  'server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers',
  'max_wal_size', 'checkpoint_timeout', 'work_mem', 'autovacuum', 'jit', 'max_connections',
];

async function withAdmin<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'switchboard-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Data dirs of bench runs that were killed before they could clean up. */
async function removeStaleDirs(dataRoot: string): Promise<void> {
  for (const entry of await readdir(dataRoot).catch(() => [])) {
    const pid = Number(/^bench-(\d+)$/.exec(entry)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(dataRoot, entry), { recursive: true, force: true });
    }
  }
}

async function startThrowawayCluster(): Promise<{ cluster: EmbeddedCluster; dataDir: string }> {
  const dataRoot = path.join(PROJECT_ROOT, '.data');
  await removeStaleDirs(dataRoot);
  const dataDir = path.join(dataRoot, `bench-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const start = async (): Promise<EmbeddedCluster> =>
    startEmbeddedPostgres({
      dataDir,
      port: await findFreePort(),
      // "persistent" only means: no fsync=off / synchronous_commit=off flags, and
      // the directory survives stop() (we need that for the restart; removed below).
      persistent: true,
      database: 'postgres',
      logger: quietLogger('bench:postgres'),
    });
  const first = await start();
  try {
    await withAdmin(first.adminConnectionString, async (client) => {
      for (const [name, value] of Object.entries(EMBEDDED_SETTINGS)) {
        await client.query(`alter system set ${client.escapeIdentifier(name)} = ${client.escapeLiteral(value)}`);
      }
    });
  } finally {
    await first.stop();
  }
  return { cluster: await start(), dataDir };
}

const databaseName = (label: string): string => `switchboard_bench_${process.pid}_${label}`;

function openDatabase(adminConnectionString: string, name: string): BenchDatabase {
  const quoted = pg.escapeIdentifier(name);
  const connectionString = withDatabase(adminConnectionString, name);
  const connect = (): pg.Pool => createPool({ connectionString, max: 4, applicationName: 'switchboard-bench', logger: log });
  let pool = connect();
  let dropping: Promise<void> | undefined;
  return {
    name,
    connectionString,
    get pool() {
      return pool;
    },
    async clone(label) {
      const copy = databaseName(label);
      await endPool(pool);
      try {
        await withAdmin(adminConnectionString, async (client) => {
          await client.query(`drop database if exists ${pg.escapeIdentifier(copy)} with (force)`);
          await client.query(`create database ${pg.escapeIdentifier(copy)} template ${quoted} strategy file_copy`);
        });
      } finally {
        pool = connect();
      }
      return openDatabase(adminConnectionString, copy);
    },
    drop() {
      dropping ??= (async () => {
        await endPool(pool);
        await withAdmin(adminConnectionString, (client) => client.query(`drop database if exists ${quoted} with (force)`));
      })();
      return dropping;
    },
  };
}

function databaseFactory(adminConnectionString: string) {
  return async (label: string): Promise<BenchDatabase> => {
    const name = databaseName(label);
    const quoted = pg.escapeIdentifier(name);
    await withAdmin(adminConnectionString, async (client) => {
      await client.query(`drop database if exists ${quoted} with (force)`);
      await client.query(`create database ${quoted}`);
    });
    await runMigrations(withDatabase(adminConnectionString, name), { logger: quietLogger('bench:migrate') });
    return openDatabase(adminConnectionString, name);
  };
}

export async function startBenchServer(): Promise<BenchServer> {
  const external = process.env.BENCH_DATABASE_URL?.trim();
  let adminConnectionString: string;
  let stop: () => Promise<void>;
  if (external) {
    log.info('using the server in BENCH_DATABASE_URL (throwaway databases are created and dropped on it)');
    adminConnectionString = external;
    stop = async () => {};
  } else {
    const { cluster, dataDir } = await startThrowawayCluster();
    log.info(`throwaway cluster on port ${cluster.port} (${dataDir})`);
    adminConnectionString = cluster.adminConnectionString;
    stop = async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  return {
    embedded: !external,
    adminConnectionString,
    createDatabase: databaseFactory(adminConnectionString),
    settings: () =>
      withAdmin(adminConnectionString, async (client) => {
        const { rows } = await client.query<{ name: string; value: string }>(
          `select name, current_setting(name) as value from pg_settings where name = any($1) order by name`,
          [REPORTED_SETTINGS],
        );
        return Object.fromEntries(rows.map((row) => [row.name, row.value]));
      }),
    stop,
  };
}
