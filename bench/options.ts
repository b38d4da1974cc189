/** Command-line options and the sizes of a full and a quick run. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** Ingest: tenants, agents per tenant, contacts (phone numbers) per tenant. */
  tenants: number;
  agentsPerTenant: number;
  contactsPerTenant: number;
  /** Ingest: single-row runs. */
  singleClients: number;
  singleSeconds: number;
  /** Interleaved bare/pipeline rounds per ingest case (>= 2). */
  rounds: number;
  /** Ingest: 100-row INSERT batches. */
  batchClients: number;
  batchRows: number;
  batchSeconds: number;
  /** Ingest: rows in one COPY. */
  copyRows: number;
  /** Rows in the EXPLAIN ANALYZE trigger profile (rolled back). */
  profileRows: number;
  /** Single-row calls whose WAL is broken down per relation (pg_walinspect). */
  walCalls: number;
  /** Seconds per single-trigger throughput run; 0 skips that profile. */
  triggerProfileSeconds: number;
  /** Reads: calls loaded for the first and the second read size. */
  readCallsSmall: number;
  readCallsLarge: number;
  readTenants: number;
  readWarmup: number;
  readRepetitions: number;
  /** Calls left uncompacted for a second timing of the rollup reads. */
  pendingDeltas: number;
  refreshRepetitions: number;
  freshnessSamples: number;
  /** Samples that also wait for the call to be compacted into the rollup table (about 1 s each). */
  compactionLagSamples: number;
  /** Calls per second other tenants write while freshness is measured. */
  freshnessBackgroundRate: number;
  /**
   * GraphQL: concurrent clients, timed seconds per size (split over `graphqlRounds` runs that
   * alternate between the sizes), warm-up seconds per run; skipGraphql leaves it out.
   */
  graphqlClients: number;
  graphqlSeconds: number;
  graphqlRounds: number;
  graphqlWarmupSeconds: number;
  skipGraphql: boolean;
  /**
   * Open loop (bench/open-loop.ts, large size): arrival rate (requests/s), timed seconds; the closed-loop
   * maximum's seconds per concurrency step; skipOpenLoop leaves both out (so does skipGraphql).
   */
  openLoopRate: number;
  openLoopSeconds: number;
  closedLoopStepSeconds: number;
  skipOpenLoop: boolean;
  /** Webhooks: concurrent clients, seconds per load, analysis window, freshness samples; skipWebhooks leaves them out. */
  webhookClients: number;
  webhookSeconds: number;
  analysisSeconds: number;
  webhookFreshnessSamples: number;
  skipWebhooks: boolean;
  /** Read replica part (bench/replica.ts): seconds per phase, rounds; skipReplica leaves it out. */
  replicaSeconds: number;
  replicaRounds: number;
  skipReplica: boolean;
  /** Leave out the dashboard first-paint measurement (headless Chromium). */
  skipDashboard: boolean;
  seed: number;
  skipIngest: boolean;
  skipReads: boolean;
  /** Where results.json goes. */
  output: string;
}

const FULL = {
  singleSeconds: 30,
  rounds: 3,
  batchSeconds: 30,
  copyRows: 200_000,
  profileRows: 20_000,
  walCalls: 3000,
  triggerProfileSeconds: 15,
  readCallsSmall: 1_000_000,
  readCallsLarge: 4_000_000,
  compactionLagSamples: 100,
  graphqlSeconds: 36,
  graphqlRounds: 3,
  openLoopSeconds: 60,
  closedLoopStepSeconds: 10,
  webhookSeconds: 20,
  analysisSeconds: 30,
  replicaSeconds: 10,
  replicaRounds: 3,
};

const QUICK = {
  singleSeconds: 5,
  rounds: 2,
  batchSeconds: 5,
  copyRows: 50_000,
  profileRows: 5_000,
  walCalls: 1000,
  triggerProfileSeconds: 0,
  readCallsSmall: 100_000,
  readCallsLarge: 400_000,
  compactionLagSamples: 20,
  graphqlSeconds: 8,
  graphqlRounds: 2,
  openLoopSeconds: 10,
  closedLoopStepSeconds: 4,
  webhookSeconds: 5,
  analysisSeconds: 10,
  replicaSeconds: 5,
  replicaRounds: 2,
};

function positiveInteger(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

export const USAGE = `usage: npm run bench -- [--quick] [--seconds N] [--rounds N] [--copy-rows N]
                      [--calls-small N] [--calls-large N] [--skip-ingest] [--skip-reads] [--skip-graphql] [--skip-open-loop] [--open-loop-rate N] [--skip-webhooks] [--skip-replica] [--skip-dashboard]
                      [--trigger-profile]
                      [--seed N] [--output FILE]
Runs in a throwaway embedded PostgreSQL cluster unless BENCH_DATABASE_URL is set
(then in throwaway databases created on that server).`;

export function parseOptions(argv: readonly string[], defaultOutput: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      'copy-rows': { type: 'string' },
      'calls-small': { type: 'string' },
      'calls-large': { type: 'string' },
      'skip-ingest': { type: 'boolean', default: false },
      'skip-reads': { type: 'boolean', default: false },
      'skip-graphql': { type: 'boolean', default: false },
      'skip-open-loop': { type: 'boolean', default: false },
      'open-loop-rate': { type: 'string' },
      'skip-webhooks': { type: 'boolean', default: false },
      'skip-replica': { type: 'boolean', default: false },
      'skip-dashboard': { type: 'boolean', default: false },
      'trigger-profile': { type: 'boolean', default: false },
      seed: { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const size = values.quick ? QUICK : FULL;
  const seconds = positiveInteger('seconds', values.seconds, size.singleSeconds);
  const readCallsSmall = positiveInteger('calls-small', values['calls-small'], size.readCallsSmall);
  const readCallsLarge = positiveInteger('calls-large', values['calls-large'], size.readCallsLarge);
  if (readCallsLarge <= readCallsSmall) throw new Error('--calls-large must be more than --calls-small');
  return {
    quick: values.quick,
    tenants: 50,
    agentsPerTenant: 4,
    contactsPerTenant: 500,
    singleClients: 16,
    singleSeconds: seconds,
    rounds: positiveInteger('rounds', values.rounds, size.rounds, 2),
    batchClients: 8,
    batchRows: 100,
    batchSeconds: values.seconds === undefined ? size.batchSeconds : seconds,
    copyRows: positiveInteger('copy-rows', values['copy-rows'], size.copyRows),
    profileRows: size.profileRows,
    walCalls: size.walCalls,
    triggerProfileSeconds: size.triggerProfileSeconds || (values['trigger-profile'] ? 8 : 0),
    readCallsSmall,
    readCallsLarge,
    readTenants: 3,
    readWarmup: 5,
    readRepetitions: 30,
    pendingDeltas: 2000,
    refreshRepetitions: 15, // median of 15: this VM has second-long slow spells
    freshnessSamples: 100,
    compactionLagSamples: size.compactionLagSamples,
    freshnessBackgroundRate: 200,
    graphqlClients: 16,
    graphqlSeconds: size.graphqlSeconds,
    graphqlRounds: size.graphqlRounds,
    graphqlWarmupSeconds: 3,
    skipGraphql: values['skip-graphql'],
    openLoopRate: positiveInteger('open-loop-rate', values['open-loop-rate'], 100),
    openLoopSeconds: size.openLoopSeconds,
    closedLoopStepSeconds: size.closedLoopStepSeconds,
    skipOpenLoop: values['skip-open-loop'],
    webhookClients: 16,
    webhookSeconds: size.webhookSeconds,
    analysisSeconds: size.analysisSeconds,
    webhookFreshnessSamples: 100,
    skipWebhooks: values['skip-webhooks'],
    replicaSeconds: size.replicaSeconds,
    replicaRounds: size.replicaRounds,
    skipReplica: values['skip-replica'],
    skipDashboard: values['skip-dashboard'],
    seed: positiveInteger('seed', values.seed, 20_240_601, 0),
    skipIngest: values['skip-ingest'],
    skipReads: values['skip-reads'],
    output: values.output ?? defaultOutput,
  };
}
