/**
 * How an analysis failed decides what the job does: every kind is retried by
 * graphile-worker (exponential backoff) and, on the job's last attempt, is
 * recorded on the transcript (`analysis_status = 'failed'`). An abort (the
 * worker is shutting down) is never recorded: the job simply runs again.
 */

export type AnalysisFailureKind =
  /** 429, 5xx, 408/409, timeouts, connection errors: the same request may well succeed later. */
  | 'transient'
  /** Malformed JSON, a schema violation, a refusal or a truncated answer. */
  | 'invalid_output'
  /** Any other 4xx (bad key, unknown model, bad request): needs an operator, retried in case one fixes it. */
  | 'rejected';

export class AnalysisError extends Error {
  override readonly name = 'AnalysisError';
  readonly kind: AnalysisFailureKind;

  constructor(kind: AnalysisFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** The request was aborted because the worker is stopping. */
export class AnalysisAbortedError extends Error {
  override readonly name = 'AnalysisAbortedError';
}
