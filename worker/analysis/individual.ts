/**
 * What the analyser is given for one call's individual analysis: the tenant's
 * prompt, the transcript capped to INDIVIDUAL_MAX_CHARS, the call's time and
 * shape. Re-scoring runs (worker/tasks/rescoring_runs__process.ts) analyse
 * through this, with the same inputs calls__analyze sends.
 */
import type { AnalysisContext, LeadAnalysis } from './schema.ts';
import { capText, INDIVIDUAL_MAX_CHARS } from './transcript-text.ts';
import type { Analyzer } from './types.ts';

export interface IndividualCall {
  started_at: Date;
  direction: string;
  duration_seconds: number;
  content: string;
}

export function analyzeIndividual(
  analyzer: Analyzer,
  call: IndividualCall,
  instructions: string,
  timezone: string,
  context: AnalysisContext,
  signal?: AbortSignal,
): Promise<LeadAnalysis> {
  return analyzer.analyze({
    kind: 'individual',
    instructions,
    transcript: capText(call.content, INDIVIDUAL_MAX_CHARS),
    referenceTime: call.started_at,
    timezone,
    context,
    calls: [{ startedAt: call.started_at, direction: call.direction, durationSeconds: call.duration_seconds }],
    signal,
  });
}
