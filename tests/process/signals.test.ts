/**
 * Signals and processes: the real `npm start` and `npm run worker` commands,
 * stopped the way a process manager, `docker stop` or a terminal does it.
 * SIGTERM and SIGINT, sent to the npm process or to node, must stop the HTTP
 * server, the worker and the embedded PostgreSQL cleanly and leave no process
 * behind (every descendant seen while it ran is gone, the postgres port no
 * longer answers), and the next start on the same data directory must work.
 * SIGKILL of node: the embedded PostgreSQL must not keep running (its
 * watchdog stops it) and the next start works.
 *
 * `npm start` runs with a throwaway PG_DATA_DIR, a free PG_PORT, PORT=0, no
 * demo data (DEMO_DATA=0) and no dashboard build (DASHBOARD_BUILD=0), and with
 * its secrets in the environment so nothing is written to .data/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../kernel/db/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const READY_MS = 90_000;
const STOP_MS = 30_000;

/** A process as seen in /proc: its pid and start time (so a reused pid is not mistaken for it). */
interface Proc {
  pid: number;
  ppid: number;
  start: string;
  command: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is the state; a zombie has exited (it only waits to be reaped)
    if (fields[0] === 'Z') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, ppid: Number(fields[1]), start: fields[19] ?? '', command };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (walks /proc). */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((proc): proc is Proc => proc !== undefined);
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = all.filter((proc) => frontier.includes(proc.ppid));
    found.push(...next);
    frontier = next.map((proc) => proc.pid);
  }
  return found;
}

function stillRunning(procs: readonly Proc[]): Proc[] {
  return procs.filter((proc) => readProc(proc.pid)?.start === proc.start);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Running {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The node process npm runs. */
  node(): Proc;
}

/** `npm <args>` in its own process group (so a failed test can clean up the group). */
function runNpm(args: string[], env: Record<string, string>): Running {
  const npm = spawn('npm', args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  npm.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  npm.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    npm,
    output: () => text,
    exited,
    node: () => {
      const node = descendants(npm.pid ?? -1).find((proc) => proc.ppid === npm.pid && /\bnode\b/.test(proc.command));
      if (!node) throw new Error(`no node process under npm (pid ${npm.pid}):\n${text}`);
      return node;
    },
  };
}

const started: Running[] = [];

afterAll(() => {
  // A failed test must not leave its processes running.
  for (const run of started) {
    if (run.npm.exitCode === null && run.npm.pid) {
      try {
        process.kill(-run.npm.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

type Target = 'npm' | 'node';
const CASES: Array<{ signal: NodeJS.Signals; target: Target }> = [
  { signal: 'SIGTERM', target: 'npm' },
  { signal: 'SIGINT', target: 'npm' },
  { signal: 'SIGTERM', target: 'node' },
  { signal: 'SIGINT', target: 'node' },
];

/** Sends `signal` to npm or node, waits for npm to exit; returns what ran before the signal. */
async function stop(run: Running, signal: NodeJS.Signals, target: Target): Promise<{ procs: Proc[]; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
  const procs = descendants(run.npm.pid ?? -1);
  const pid = target === 'npm' ? (run.npm.pid ?? -1) : run.node().pid;
  process.kill(pid, signal);
  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`npm still running ${STOP_MS} ms after ${signal}:\n${run.output()}`)), STOP_MS)),
  ]);
  return { procs, exit };
}

describe('npm start and signals', () => {
  let dataDir: string;
  let pgPort: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-signals-'));
    pgPort = await findFreePort();
    env = {
      PG_DATA_DIR: dataDir,
      PG_PORT: String(pgPort),
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_DATA: '0',
      DASHBOARD_BUILD: '0',
      COMPACT_INTERVAL_MS: '0',
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      AUTHENTICATOR_PASSWORD: randomBytes(16).toString('hex'),
    };
  });

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ run: Running; url: string; postgresPid: number }> {
    const run = runNpm(['start'], env);
    started.push(run);
    let url = '';
    await waitUntil(
      'npm start to listen',
      () => {
        if (run.npm.exitCode !== null) throw new Error(`npm start exited (code ${run.npm.exitCode}):\n${run.output()}`);
        url = /listening on (http:\/\/\S+)/.exec(run.output())?.[1] ?? '';
        return url !== '';
      },
      READY_MS,
    );
    const postgresPid = Number(/running on port \d+ \(pid (\d+)\)/.exec(run.output())?.[1]);
    expect(postgresPid).toBeGreaterThan(0);
    // it answers: database and worker ready
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(await portAnswers(pgPort)).toBe(true);
    return { run, url, postgresPid };
  }

  it('SIGKILL of node: the embedded PostgreSQL stops too, and the next start works', { timeout: READY_MS + STOP_MS }, async () => {
    const { run, postgresPid } = await start();
    const procs = descendants(run.npm.pid ?? -1);
    expect(procs.map((proc) => proc.pid)).toContain(postgresPid);
    process.kill(run.node().pid, 'SIGKILL');
    await run.exited;
    await waitUntil('the orphaned PostgreSQL to stop', async () => stillRunning(procs).length === 0 && !(await portAnswers(pgPort)), STOP_MS);
  });

  it.each(CASES)('$signal to the $target process stops the server, the worker and PostgreSQL; nothing is left', { timeout: READY_MS + STOP_MS }, async ({ signal, target }) => {
    const { run, postgresPid } = await start();
    const { procs, exit } = await stop(run, signal, target);
    // npm reports the server's own exit: a clean shutdown
    expect(exit).toEqual({ code: 0, signal: null });
    expect(procs.map((proc) => proc.pid)).toContain(postgresPid);
    expect(stillRunning(procs).map((proc) => `${proc.pid} ${proc.command}`)).toEqual([]);
    expect(await portAnswers(pgPort)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    const output = run.output();
    expect(output).toContain(`shutting down (${signal})`);
    expect(output).toMatch(/\[server:worker\] stopped/);
    expect(output).toMatch(/\[server:db:postgres\] stopped/);
    expect(output).toContain('bye');
  });
});

describe('npm run worker and signals', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    // LOG_LEVEL=debug: routine job completions are logged at debug, and the test waits for one.
    env = { DATABASE_URL: db.connectionString, COMPACT_INTERVAL_MS: '50', SECRETS_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'debug' };
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function workerConnections(): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'switchboard-worker'`,
    );
    return rows[0]?.n ?? -1;
  }

  it.each(CASES)('$signal to the $target process stops the worker, releasing its jobs; nothing is left', { timeout: READY_MS + STOP_MS }, async ({ signal, target }) => {
    const run = runNpm(['run', 'worker'], env);
    started.push(run);
    await waitUntil(
      'the worker to run jobs',
      () => {
        if (run.npm.exitCode !== null) throw new Error(`npm run worker exited (code ${run.npm.exitCode}):\n${run.output()}`);
        return /job \d+ \(rollups__compact\) completed/.test(run.output());
      },
      READY_MS,
    );
    expect(await workerConnections()).toBeGreaterThan(0);
    const { procs, exit } = await stop(run, signal, target);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stillRunning(procs).map((proc) => `${proc.pid} ${proc.command}`)).toEqual([]);
    expect(run.output()).toContain(`shutting down (${signal})`);
    // its connections are closed and no job is left locked by it
    expect(await workerConnections()).toBe(0);
    const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from graphile_worker.jobs where locked_by is not null');
    expect(rows[0]?.n).toBe(0);
  });
});
