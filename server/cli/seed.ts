/**
 * `npm run seed -- --calls N [--tenants T] [--agents A] [--whale-share W] [--whale-agents A] [--days D] [--seed S] [--analyses R] [--parallel P]`:
 * appends N generated calls for the scale tenants (scale-tenant-1..T; tenant 1 the whale, the rest Zipf-sized) to
 * DATABASE_URL or the embedded dev cluster (migrated first), with a progress
 * bar on stderr and a summary line on stdout. Without --calls (`npm run seed:demo`):
 * seeds the demo data if the database has no users, whatever DATABASE_URL is
 * (an explicit request), but never with NODE_ENV=production.
 */
import { parseArgs } from 'node:util';
import { DEMO_REFUSED_IN_PRODUCTION, loadConfig } from '../../kernel/config.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { resolveDatabase, type Database } from '../../kernel/db/resolve.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { seedDemoIfEmpty, workingDemoLogins } from '../seed/demo.ts';
import { createProgressBar, formatCount } from '../seed/progress.ts';
import { loadScaleData, type ScaleOptions } from '../seed/scale.ts';

const USAGE = `usage: npm run seed -- [--calls N] [--tenants T] [--agents A] [--whale-share W] [--whale-agents A] [--days D] [--seed S] [--analyses R] [--parallel P]
  --calls N      calls to add for the scale tenants (omit to seed the demo data into an empty database)
  --tenants T    scale tenants scale-tenant-1..T, created if missing (default 200)
  --agents A     agents per tenant (default 5)
  --whale-share W  share of the calls for scale-tenant-1, the whale, 0-1 exclusive (default 0.3);
                 the others get the rest by Zipf's law (tenant n: in proportion to 1 / (n - 1))
  --whale-agents A agents of the whale (default 20, at least --agents)
  --days D       days of history ending now (default 365, at most 730)
  --seed S       generator seed (default 1)
  --analyses R   share of successful calls with an analysis, 0-1 (default 0.5)
  --parallel P   loading connections (default 2)`;

class UsageError extends Error {}

function integerOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer between ${min} and ${max}`);
  return value;
}

function parseOptions(argv: string[]): Omit<ScaleOptions, 'calls'> & { calls?: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string' },
      tenants: { type: 'string' },
      agents: { type: 'string' },
      'whale-share': { type: 'string' },
      'whale-agents': { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      analyses: { type: 'string' },
      parallel: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const analyses = values.analyses === undefined ? undefined : Number(values.analyses);
  if (analyses !== undefined && !(analyses >= 0 && analyses <= 1)) throw new UsageError('--analyses must be between 0 and 1');
  const whaleShare = values['whale-share'] === undefined ? undefined : Number(values['whale-share']);
  if (whaleShare !== undefined && !(whaleShare > 0 && whaleShare < 1)) throw new UsageError('--whale-share must be between 0 and 1 (exclusive)');
  const agentsPerTenant = integerOption('agents', values.agents, 1, 50);
  const whaleAgents = integerOption('whale-agents', values['whale-agents'], 1, 99);
  if (whaleAgents !== undefined && whaleAgents < (agentsPerTenant ?? 5)) throw new UsageError('--whale-agents must be at least --agents');
  return {
    calls: integerOption('calls', values.calls, 0, 100_000_000),
    tenants: integerOption('tenants', values.tenants, 1, 50_000),
    agentsPerTenant,
    whaleShare,
    whaleAgents,
    days: integerOption('days', values.days, 1, 730),
    seed: integerOption('seed', values.seed, 0, 2 ** 31),
    analysesRatio: analyses,
    parallel: integerOption('parallel', values.parallel, 1, 16),
  };
}

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('seed');

let database: Database | undefined;
try {
  const options = parseOptions(process.argv.slice(2));
  if (options.calls === undefined && config.production) throw new UsageError(`npm run seed:demo: ${DEMO_REFUSED_IN_PRODUCTION}`);
  database = await resolveDatabase(config, log.child('db'));
  await runMigrations(database.connectionString, { logger: log.child('migrate') });
  const pool = createPool({ connectionString: database.connectionString, max: (options.parallel ?? 2) + 1, logger: log.child('pool') });
  try {
    const { calls } = options;
    if (calls === undefined) {
      const demo = await seedDemoIfEmpty(pool, log);
      if (!demo.seeded) process.stdout.write('the database already has users; demo data not seeded\n');
      for (const login of await workingDemoLogins(pool)) process.stdout.write(`demo login (${login.role}): ${login.email} / ${login.password}\n`);
    } else {
      const bar = createProgressBar(process.stderr, 'calls');
      const result = await loadScaleData(pool, {
        ...options,
        calls,
        onProgress: (done, total) => {
          bar.update(done, total);
          if (done === total) bar.status(`${formatCount(total)} calls in; compacting rollups, posting credits, refreshing KPIs...`);
        },
      });
      bar.stop();
      process.stdout.write(
        `seeded ${formatCount(result.calls)} calls for ${formatCount(result.tenantIds.length)} tenants ` +
          `(${formatCount(result.agentIds.length)} agents) in ${result.seconds.toFixed(1)} s ` +
          `(${formatCount(result.calls / result.seconds)} calls/s; inserting ${result.loadSeconds.toFixed(1)} s ` +
          `= ${formatCount(result.calls / result.loadSeconds)} calls/s, then compaction, ledger and KPI view ` +
          `${result.settleSeconds.toFixed(1)} s)\n`,
      );
      log.info('seconds per step', Object.fromEntries(Object.entries(result.timings).map(([step, t]) => [step, t.toFixed(1)])));
    }
  } finally {
    await endPool(pool);
  }
} catch (error) {
  const parseError = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
  if (error instanceof UsageError || parseError) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
  } else {
    log.error('seed failed', { error });
  }
  process.exitCode = 1;
} finally {
  await database?.stop();
}
