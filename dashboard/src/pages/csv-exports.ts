/** The CSV layouts of the tables and series on screen (exact API values). */
import type { SeriesPoint } from '../api/operations/fragments.ts';
import type { LeaderboardRow } from '../api/operations/overview.ts';
import type { CsvCell } from '../csv.ts';

export const dailyCsv = {
  header: ['day', 'calls', 'successful_calls', 'unanswered_calls', 'failed_calls', 'talk_seconds', 'leads'],
  rows(points: ReadonlyArray<SeriesPoint | null> | null | undefined): CsvCell[][] {
    return (points ?? []).flatMap((p) =>
      p ? [[p.periodStart, p.figures?.calls, p.figures?.successfulCalls, p.figures?.unansweredCalls, p.figures?.failedCalls, p.figures?.talkSeconds, p.figures?.leads]] : [],
    );
  },
} as const;

export const leaderboardCsv = {
  header: ['rank', 'agent_id', 'agent', 'active', 'calls', 'successful_calls', 'success_rate', 'leads', 'qualified_leads', 'conversion_rate', 'average_duration_seconds'],
  rows(rows: ReadonlyArray<LeaderboardRow | null> | null | undefined): CsvCell[][] {
    return (rows ?? []).flatMap((r) =>
      r
        ? [[r.rank, r.agentId, r.name, r.isActive, r.figures?.calls, r.figures?.successfulCalls, r.figures?.successRate, r.figures?.leads,
            r.figures?.qualifiedLeads, r.figures?.conversionRate, r.figures?.averageDurationSeconds]]
        : [],
    );
  },
} as const;
