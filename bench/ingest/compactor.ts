/** Runs compact_rollups() every second on its own connection while `fn` runs, as the worker's tick does in production. */
import pg from 'pg';

export interface CompactorStats {
  runs: number;
  rowsMoved: number;
}

export async function withCompactor<T>(connectionString: string, fn: () => Promise<T>): Promise<{ value: T; compactor: CompactorStats }> {
  const client = new pg.Client({ connectionString, application_name: 'switchboard-bench-compactor' });
  client.on('error', () => {});
  await client.connect();
  const stats: CompactorStats = { runs: 0, rowsMoved: 0 };
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
      if (stopped) break;
      const { rows } = await client.query<{ n: number }>('select app_hidden.compact_rollups() as n');
      stats.runs += 1;
      stats.rowsMoved += rows[0]?.n ?? 0;
    }
  })();
  const outcome = loop.then(
    () => undefined,
    (error: unknown) => error,
  );
  try {
    const value = await fn();
    return { value, compactor: stats };
  } finally {
    stopped = true;
    wake?.();
    const error = await outcome;
    await client.end().catch(() => {});
    if (error !== undefined) throw error;
  }
}
