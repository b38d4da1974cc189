/**
 * An idle worker process (`worker/main.ts`, as `npm run worker` runs it) with
 * the compaction tick every 50 ms: once started, it runs dozens of jobs and
 * prints nothing at info or above (graphile-worker's "Completed task ...
 * with success" lines used to be ~185 a minute), while its metrics listener
 * (METRICS_PORT) counts those jobs. It runs at LOG_LEVEL=debug with JSON
 * lines, so the test can see that the jobs did run; the count of jobs is
 * awaited, never a duration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { waitFor } from '../worker/support.ts';

interface Line {
  level: string;
  msg: string;
}

/** A line about one of the tick's jobs: `job 5 (rollups__compact) completed`. */
const TICK_JOB = /\((?:rollups__compact|credits__post|contacts__sync)[,)]/;
const JOBS_TO_SEE = 60;

let db: TestDatabase;
let child: ChildProcess | undefined;
let output = '';

function parsed(): Line[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
}

async function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise((resolve) => proc.once('exit', resolve));
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
  await db?.drop();
});

describe('an idle worker', () => {
  it(`runs ${JOBS_TO_SEE} tick jobs without a line at info or above once started, and counts them on its metrics port`, async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.connectionString,
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        COMPACT_INTERVAL_MS: '50',
        WORKER_CONCURRENCY: '2',
        OPENAI_API_KEY: '',
        TWILIO_ACCOUNT_SID: '',
        METRICS_PORT: '0', // any free port; the worker logs its URL
        METRICS_HOST: '127.0.0.1',
        METRICS_TOKEN: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // Start-up ends with the line about metrics (worker/main.ts) and graphile-worker's "Worker connected"
    // (logged when its pool connects, which may come after the metrics line); count what comes after both.
    const isMetricsLine = (line: Line): boolean => line.msg.startsWith('metrics at ');
    const isConnectedLine = (line: Line): boolean => line.msg.startsWith('Worker connected');
    const afterStart = await waitFor(`${JOBS_TO_SEE} completed tick jobs after start-up`, async () => {
      if (child?.exitCode !== null) throw new Error(`the worker exited early:\n${output}`);
      const all = parsed();
      const metricsAt = all.findIndex(isMetricsLine);
      const connectedAt = all.findIndex(isConnectedLine);
      if (metricsAt === -1 || connectedAt === -1) return undefined;
      const ready = Math.max(metricsAt, connectedAt);
      const after = all.slice(ready + 1);
      const completed = after.filter((line) => TICK_JOB.test(line.msg) && /completed/i.test(line.msg));
      return completed.length >= JOBS_TO_SEE ? { startup: all.slice(0, ready + 1), after } : undefined;
    });
    const metricsUrl = /^metrics at (\S+)/.exec(afterStart.startup.find(isMetricsLine)?.msg ?? '')?.[1];
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const scraped = await (await fetch(metricsUrl!)).text();
    child.kill('SIGTERM');
    await exited(child);

    const compacted = /^switchboard_jobs_total\{task="rollups__compact",outcome="success"\} (\d+)$/m.exec(scraped)?.[1];
    expect(Number(compacted)).toBeGreaterThan(0);
    expect(scraped).toMatch(/^switchboard_pg_pool_clients\{pool="worker",state="total"\} \d+$/m);
    expect(scraped).toContain('process_cpu_user_seconds_total');

    // Start-up says what it is doing in a handful of lines, then nothing above debug.
    expect(afterStart.startup.filter((line) => line.level !== 'debug').length).toBeLessThanOrEqual(10);
    expect(afterStart.after.filter((line) => line.level !== 'debug').map((line) => line.msg)).toEqual([]);
  });
});
