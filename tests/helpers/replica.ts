/**
 * A real streaming replica of a local PostgreSQL cluster, from the embedded
 * binaries (which ship no pg_basebackup): a base backup by hand, as
 * PostgreSQL's documentation describes the low-level API:
 *
 * 1. a physical replication slot, reserved at once, so the primary keeps every
 *    WAL segment from here until the replica has streamed it;
 * 2. `pg_backup_start(label, fast)` on a session held open, a file copy of the
 *    data directory (without pg_wal's segments, the slot directory, the pid
 *    file and the other throwaway directories; files that vanish meanwhile,
 *    such as a dropped database's, are skipped: replay recreates the state),
 *    then `pg_backup_stop()`, whose label file becomes the copy's backup_label;
 * 3. `standby.signal`, `primary_conninfo` (the superuser over TCP on
 *    127.0.0.1) and `primary_slot_name`, and the copy starts as a hot standby on
 *    its own port; it replays from the backup's start and then streams.
 *
 *   const replica = await startReplica(adminConnectionString);   // beforeAll
 *   replica.connectionString(database)                           // superuser, on the replica
 *   await replica.catchUp();   await replica.pauseReplay();   await replica.resumeReplay();
 *   await replica.stop();                                       // afterAll: also drops the slot
 *
 * Used by tests/api/read-replica.test.ts (against the tests' cluster) and the
 * bench's replica part (against the bench cluster). Needs the primary's data
 * directory on this machine (an embedded cluster), so not with a remote
 * TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { chown, copyFile, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { findFreePort, postgresOwner, startEmbeddedPostgres } from '../../kernel/db/embedded.ts';
import { withDatabase } from '../../kernel/db/urls.ts';
import { createLogger, type Logger } from '../../kernel/log.ts';

export interface Replica {
  port: number;
  /** The replica's copy of `database`, as the primary's superuser. */
  connectionString(database: string): string;
  /** The replication slot on the primary. */
  slot: string;
  /** Resolves once the replica has replayed everything the primary had written when called. */
  catchUp(timeoutMs?: number): Promise<void>;
  /** Stops applying WAL (it still streams); the replica's data stays as it is now. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Stops the replica, deletes its directory and drops its slot. */
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  logger?: Logger;
  /** Extra server settings of the replica. */
  settings?: Record<string, string>;
}

/** Directories whose contents a base backup leaves out (they are rebuilt or streamed). */
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
/** Top-level files a base backup leaves out. */
const SKIPPED_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'switchboard.owner', 'backup_label', 'tablespace_map', 'standby.signal', 'recovery.signal']);

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/** Copies a live data directory; what disappears while it is copied is skipped. */
async function copyDataDir(from: string, to: string, top: boolean): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  let entries: string[];
  try {
    entries = await readdir(from);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const entry of entries) {
    if (top && SKIPPED_FILES.has(entry)) continue;
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    try {
      const stat = await lstat(source);
      if (stat.isDirectory()) {
        if (top && EMPTY_DIRS.has(entry)) {
          await mkdir(target, { mode: 0o700 });
          if (entry === 'pg_wal') await mkdir(path.join(target, 'archive_status'), { mode: 0o700 });
        } else {
          await copyDataDir(source, target, false);
        }
      } else if (stat.isFile()) {
        await copyFile(source, target);
      }
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const target = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(target, uid, gid);
    else await chown(target, uid, gid);
  }
}

async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`replica: ${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startReplica(primaryAdminConnectionString: string, options: ReplicaOptions = {}): Promise<Replica> {
  const log = options.logger ?? createLogger('replica');
  const primaryUrl = new URL(primaryAdminConnectionString);
  const primary = new pg.Client({ connectionString: primaryAdminConnectionString, application_name: 'switchboard-replica-setup' });
  // Lost when the primary stops first (a failed run's clean-up): not worth crashing the process.
  primary.on('error', (error) => log.warn(`replica control connection to the primary lost: ${error.message}`));
  await primary.connect();
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const slot = `switchboard_replica_${tag}`;
  const dataDir = path.join(PROJECT_ROOT, '.data', `replica-${tag}`);
  let started: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  const dropSlot = (): Promise<unknown> =>
    primary.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [slot]);
  try {
    const { rows } = await primary.query<{ dir: string }>(`select current_setting('data_directory') as dir`);
    const primaryDir = rows[0]?.dir;
    if (!primaryDir) throw new Error('replica: the primary did not say where its data directory is');
    await primary.query('select pg_create_physical_replication_slot($1, true)', [slot]);
    await rm(dataDir, { recursive: true, force: true });
    await primary.query(`select pg_backup_start($1, true)`, [slot]);
    let label: string;
    let tablespaceMap: string | null;
    try {
      await copyDataDir(primaryDir, dataDir, true);
    } finally {
      const stopped = await primary.query<{ labelfile: string; spcmapfile: string | null }>('select labelfile, spcmapfile from pg_backup_stop(false)');
      label = stopped.rows[0]?.labelfile ?? '';
      tablespaceMap = stopped.rows[0]?.spcmapfile ?? null;
    }
    await writeFile(path.join(dataDir, 'backup_label'), label);
    if (tablespaceMap) await writeFile(path.join(dataDir, 'tablespace_map'), tablespaceMap);
    await writeFile(path.join(dataDir, 'standby.signal'), '');
    const owner = postgresOwner();
    if (owner) await chownTree(dataDir, owner.uid, owner.gid);

    const conninfo = [
      `host=${primaryUrl.hostname}`,
      `port=${primaryUrl.port}`,
      `user=${decodeURIComponent(primaryUrl.username)}`,
      `password=${decodeURIComponent(primaryUrl.password)}`,
      `application_name=${slot}`,
    ].join(' ');
    const port = await findFreePort();
    started = await startEmbeddedPostgres({
      dataDir,
      port,
      persistent: false,
      prepared: true,
      database: 'postgres',
      logger: log,
      settings: {
        primary_conninfo: conninfo,
        primary_slot_name: slot,
        hot_standby: 'on',
        // The primary keeps rows a replica query still reads (no "conflict with recovery" cancels).
        hot_standby_feedback: 'on',
        wal_receiver_status_interval: '1s',
        // The bench cluster's ALTER SYSTEM sizes are copied with the files: a smaller replica.
        shared_buffers: '128MB',
        ...options.settings,
      },
    });
    const cluster = started;
    const replicaAdmin = withDatabase(cluster.adminConnectionString, 'postgres');
    const onReplica = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const client = new pg.Client({ connectionString: replicaAdmin, application_name: 'switchboard-replica-control' });
      await client.connect();
      try {
        return (await client.query<T>(sql, params)).rows;
      } finally {
        await client.end();
      }
    };
    const catchUp = async (timeoutMs = 20_000): Promise<void> => {
      const { rows: [target] } = await primary.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
      await poll('catching up', timeoutMs, async () => {
        const [row] = await onReplica<{ done: boolean }>('select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) as done', [target?.lsn]);
        return row?.done === true;
      });
    };
    await poll('streaming', 20_000, async () => {
      const found = await primary.query('select 1 from pg_stat_replication where application_name = $1 and state = $2', [slot, 'streaming']);
      return (found.rowCount ?? 0) > 0;
    });
    await catchUp();
    log.info(`replica of port ${primaryUrl.port} streaming on port ${port} (slot ${slot})`);

    let stopping: Promise<void> | undefined;
    return {
      port,
      slot,
      connectionString: (database) => withDatabase(cluster.adminConnectionString, database),
      catchUp,
      async pauseReplay() {
        await onReplica('select pg_wal_replay_pause()');
        await poll('pausing replay', 10_000, async () => {
          const [row] = await onReplica<{ state: string }>('select pg_get_wal_replay_pause_state() as state');
          return row?.state === 'paused';
        });
      },
      async resumeReplay() {
        await onReplica('select pg_wal_replay_resume()');
      },
      stop() {
        stopping ??= (async () => {
          try {
            await cluster.stop();
            await poll('the slot to be released', 10_000, async () => {
              const found = await primary.query('select 1 from pg_replication_slots where slot_name = $1 and active', [slot]);
              return (found.rowCount ?? 0) === 0;
            });
            await dropSlot();
          } finally {
            await primary.end();
            await rm(dataDir, { recursive: true, force: true });
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    await started?.stop().catch(() => undefined);
    await dropSlot().catch(() => undefined);
    await primary.end().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
