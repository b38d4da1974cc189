/** Sorting the leaderboard by a column (comparison of the API's exact values; no arithmetic). */
import type { LeaderboardRow } from '../api/operations/overview.ts';

export type SortKey = 'rank' | 'name' | 'calls' | 'successRate' | 'leads' | 'qualifiedLeads' | 'conversionRate' | 'averageDurationSeconds';
export type SortDirection = 'asc' | 'desc';

function sortValue(row: LeaderboardRow, key: SortKey): number | string | null {
  if (key === 'rank') return row.rank;
  if (key === 'name') return row.name;
  const value = row.figures?.[key] ?? null;
  return value === null ? null : Number(value);
}

export function sortRows(rows: readonly LeaderboardRow[], key: SortKey, direction: SortDirection): LeaderboardRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === y) return (a.rank ?? 0) - (b.rank ?? 0);
    if (x === null) return 1; // missing values last either way
    if (y === null) return -1;
    if (typeof x === 'string' || typeof y === 'string') return sign * String(x).localeCompare(String(y));
    return sign * (x < y ? -1 : 1);
  });
}
