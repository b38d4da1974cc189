/**
 * The dashboard KPI queries, each twice: from the rollup-backed live views and
 * hand-written over raw calls. Both take the tenant id as $1 and must return
 * identical rows (the bench checks it before timing anything).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface KpiQueryPair {
  name: string;
  description: string;
  rollup: string;
  raw: string;
}

function load(file: string): string {
  return readFileSync(path.join(import.meta.dirname, file), 'utf8');
}

export const KPI_QUERIES: readonly KpiQueryPair[] = [
  { name: 'summary_30d', description: '30-day summary', rollup: load('summary.rollup.sql'), raw: load('summary.raw.sql') },
  { name: 'daily_30d', description: '30-day daily series', rollup: load('daily.rollup.sql'), raw: load('daily.raw.sql') },
  {
    name: 'leaderboard_30d',
    description: '30-day agent leaderboard',
    rollup: load('leaderboard.rollup.sql'),
    raw: load('leaderboard.raw.sql'),
  },
  {
    name: 'hour_matrix_30d',
    description: '30-day hour x weekday matrix',
    rollup: load('hour_matrix.rollup.sql'),
    raw: load('hour_matrix.raw.sql'),
  },
];
