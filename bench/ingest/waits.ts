/**
 * What the workload's backends are doing, sampled from pg_stat_activity every
 * 20 ms during a run: a wait event (lock, WAL flush, I/O...) or "CPU" when
 * active without one. Shares of all samples, largest first.
 */
import pg from 'pg';

export interface WaitShare {
  wait: string;
  share: number;
}

export function sampleWaits(connectionString: string, applicationName: string): { stop(): Promise<WaitShare[]> } {
  let stopped = false;
  const counts = new Map<string, number>();
  const done = (async () => {
    const client = new pg.Client({ connectionString, application_name: 'switchboard-bench-sampler' });
    client.on('error', () => {});
    await client.connect();
    try {
      while (!stopped) {
        const { rows } = await client.query<{ wait: string; n: string }>(
          `select coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait, count(*) as n
             from pg_stat_activity
            where application_name = $1 and state = 'active'
            group by 1`,
          [applicationName],
        );
        for (const row of rows) counts.set(row.wait, (counts.get(row.wait) ?? 0) + Number(row.n));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await client.end().catch(() => {});
    }
  })();
  const outcome = done.then(
    () => undefined,
    (error: unknown) => error,
  );
  return {
    async stop() {
      stopped = true;
      const error = await outcome;
      if (error !== undefined) throw error;
      const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
      return [...counts.entries()]
        .map(([wait, n]) => ({ wait, share: total ? n / total : 0 }))
        .sort((a, b) => b.share - a.share)
        .slice(0, 8);
    },
  };
}
