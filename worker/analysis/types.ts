/** What an analyser is given and what it returns. */
import type { AnalysisContext, LeadAnalysis } from './schema.ts';

export type AnalyzerName = 'openai' | 'builtin';

/** One past call of the lead, for the complete analysis (oldest first). */
export interface CallContext {
  startedAt: Date;
  direction: string;
  durationSeconds: number;
}

export interface AnalysisInput {
  /** individual: one call; complete: every analysed call with the lead. */
  kind: 'individual' | 'complete';
  /** The tenant's prompt, or the default. */
  instructions: string;
  /** The transcript (complete: the calls' transcripts, each headed), already capped in length. */
  transcript: string;
  /** When the (latest) call started: relative dates in the conversation are resolved against it. */
  referenceTime: Date;
  /** The tenant's IANA time zone. */
  timezone: string;
  /** The calls the text covers, oldest first (one for an individual analysis). */
  calls: CallContext[];
  /** The tenant's topic taxonomy and active success criteria (the schema depends on them). */
  context: AnalysisContext;
  /** Aborts the request (graceful shutdown). */
  signal?: AbortSignal;
}

export interface Analyzer {
  readonly name: AnalyzerName;
  readonly model: string;
  /** Resolves with a validated analysis, or rejects (see errors.ts for how failures are classified). */
  analyze(input: AnalysisInput): Promise<LeadAnalysis>;
}
