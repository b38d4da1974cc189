/**
 * Part 1, ingest: pipeline (all triggers) against bare inserts into the same
 * table, side by side in one fresh database: single-row inserts spread over
 * all tenants and into one hot tenant, 100-row batches, COPY; then exactness
 * (verify_rollups) and where the cost goes.
 */
import type { BenchServer } from '../cluster.ts';
import { log } from '../log.ts';
import { databaseCounters, relationBytes } from '../maintenance.ts';
import type { BenchOptions } from '../options.ts';
import { pick, type Random } from './calls.ts';
import { withCompactor } from './compactor.ts';
import { copyPayload, runCopy } from './copy.ts';
import { createIngestFixture, type FixtureTenant } from './fixture.ts';
import { interleaved, type CaseResult } from './interleave.ts';
import { runLoad, type LoadResult } from './load.ts';
import { explainProfile, triggerThroughput, type ExplainProfile, type TriggerThroughput } from './profile.ts';
import { verify, type Verification } from './verify.ts';
import { walBreakdown, type WalBreakdown } from './wal.ts';
import { batchRows, singleRow, type Choose } from './workloads.ts';

export interface IngestResult {
  spread: CaseResult;
  hot: CaseResult;
  batch: CaseResult;
  copy: CaseResult;
  deadlocks: number;
  failedTransactions: number;
  /** pg_stat_database over the four cases (bare runs included), as a cross-check. */
  serverDeadlocks: number;
  verified: boolean;
  verifications: Verification[];
  explain: ExplainProfile;
  /** null when pg_walinspect is unavailable. */
  wal: WalBreakdown | null;
  /** null when not run (quick runs skip it unless --trigger-profile). */
  triggerThroughput: TriggerThroughput[] | null;
  rollupDeltasBytesAfterCompaction: number;
}

export async function runIngest(server: BenchServer, options: BenchOptions): Promise<IngestResult> {
  const database = await server.createDatabase('ingest');
  try {
    const db = database.pool;
    const { connectionString } = database;
    const fixture = await createIngestFixture(db, options);
    const hotTenant = fixture.tenants[0];
    if (!hotTenant?.agentIds[0]) throw new Error('the ingest fixture has no tenant with an agent');
    const hotAgent = hotTenant.agentIds[0];
    const sample = fixture.tenants.slice(0, 3).map((t) => t.id);
    const verifications: Verification[] = [];
    const countersBefore = await databaseCounters(db);
    // Bare and pipeline runs of a round insert the same sequence of calls.
    const single = (round: number, choose: Choose): Promise<LoadResult> =>
      runLoad({
        connectionString,
        clients: options.singleClients,
        seconds: options.singleSeconds,
        next: singleRow(options.seed + round * 1000, options.singleClients, choose),
      });

    log.info(`ingest: ${options.singleClients} clients, single-row INSERTs, ${options.singleSeconds} s per run, ${options.rounds} rounds`);
    const spreadChoice = (random: Random): { tenant: FixtureTenant } => ({ tenant: pick(random, fixture.tenants) });
    const spread = await interleaved({
      name: 'spread', db, rounds: options.rounds, unit: 'tps',
      modes: ['bare', 'pipeline', 'pipeline_compacting'],
      run: async (mode, round) => {
        if (mode !== 'pipeline_compacting') return single(round, spreadChoice);
        const { value, compactor } = await withCompactor(connectionString, () => single(round, spreadChoice));
        log.info(`spread round ${round}: the compactor ran ${compactor.runs} times and moved ${compactor.rowsMoved} deltas during the run`);
        return value;
      },
      afterLastPipeline: () => verify(db, 'spread', sample, verifications),
    });
    const hot = await interleaved({
      name: 'hot', db, rounds: options.rounds, unit: 'tps',
      run: (_mode, round) => single(round, () => ({ tenant: hotTenant, agentId: hotAgent })),
      afterLastPipeline: () => verify(db, 'hot', [hotTenant.id], verifications),
    });
    log.info(`ingest: ${options.batchClients} clients, ${options.batchRows}-row INSERT batches of random tenants, ${options.batchSeconds} s per run`);
    const batch = await interleaved({
      name: 'batch', db, rounds: options.rounds, unit: 'rows/s',
      run: (_mode, round) =>
        runLoad({
          connectionString,
          clients: options.batchClients,
          seconds: options.batchSeconds,
          next: batchRows(options.seed + round * 1000, options.batchClients, options.batchRows, fixture),
        }),
      afterLastPipeline: () => verify(db, 'batch', sample, verifications),
    });
    log.info(`ingest: COPY of ${options.copyRows} rows of random tenants`);
    const payload = copyPayload(fixture, options.copyRows, options.seed);
    const copy = await interleaved({
      name: 'copy', db, rounds: options.rounds, unit: 'rows/s',
      run: () => runCopy(connectionString, payload, options.copyRows),
      afterLastPipeline: () => verify(db, 'copy', sample, verifications),
    });
    const rollupDeltasBytesAfterCompaction = await relationBytes(db, 'app_hidden.rollup_deltas');
    const countersAfter = await databaseCounters(db);

    log.info(`ingest: trigger profile (EXPLAIN ANALYZE of a ${options.profileRows}-row INSERT, rolled back)`);
    const explain = await explainProfile(db, fixture, options.profileRows, options.seed);
    const wal = await walBreakdown(db, connectionString, fixture, options.walCalls, options.seed);
    const throughput = options.triggerProfileSeconds > 0
      ? await triggerThroughput(db, () =>
          runLoad({
            connectionString,
            clients: options.singleClients,
            seconds: options.triggerProfileSeconds,
            next: singleRow(options.seed, options.singleClients, spreadChoice),
          }),
        )
      : null;

    const cases = [spread, hot, batch, copy];
    return {
      spread,
      hot,
      batch,
      copy,
      // The server's own count too, in case a deadlock was swallowed somewhere the bench does not look.
      deadlocks: Math.max(cases.reduce((sum, c) => sum + c.pipelineDeadlocks, 0), countersAfter.deadlocks - countersBefore.deadlocks),
      failedTransactions: cases.reduce((sum, c) => sum + c.pipelineFailed, 0),
      serverDeadlocks: countersAfter.deadlocks - countersBefore.deadlocks,
      verified: verifications.length === 4 && verifications.every((v) => v.differences === 0 && v.calls > 0),
      verifications,
      explain,
      wal,
      triggerThroughput: throughput,
      rollupDeltasBytesAfterCompaction,
    };
  } finally {
    await database.drop();
  }
}
