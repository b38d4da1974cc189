/** A call's individual analysis: the total and every sub-score with its level and the analyser's reasoning. */
import type { CallPageAnalysis } from '../api/operations/call-page.ts';
import { formatDateTime, formatLabel } from '../format.ts';

type Analysis = NonNullable<CallPageAnalysis>;

function reasoningOf(reasoning: unknown, key: string): string | null {
  if (typeof reasoning !== 'object' || reasoning === null || Array.isArray(reasoning)) return null;
  const value = (reasoning as Record<string, unknown>)[key];
  return typeof value === 'string' && value.trim() ? value : null;
}

export function AnalysisScores({ analysis, timeZone }: { analysis: Analysis; timeZone: string }) {
  const scores = [
    { key: 'intent', label: 'Intent', level: analysis.intentLevel, score: analysis.intentScore },
    { key: 'urgency', label: 'Urgency', level: analysis.urgencyLevel, score: analysis.urgencyScore },
    { key: 'budget', label: 'Budget', level: analysis.budgetConstraint, score: analysis.budgetScore },
    { key: 'fit', label: 'Fit', level: analysis.fitAlignment, score: analysis.fitScore },
    { key: 'engagement', label: 'Engagement', level: analysis.engagementHealth, score: analysis.engagementScore },
  ];
  const summary = reasoningOf(analysis.reasoning, 'summary');
  const ctas = [
    analysis.ctaPricingClicked && 'asked for pricing',
    analysis.ctaDemoClicked && 'wants a demo',
    analysis.ctaFollowupClicked && 'asked for a follow-up',
    analysis.ctaSampleClicked && 'asked for a sample',
    analysis.ctaEscalatedToHuman && 'escalated to a human',
  ].filter((cta): cta is string => typeof cta === 'string');
  const contact = [analysis.extractedName, analysis.extractedEmail, analysis.companyName].filter(Boolean).join(' · ');
  return (
    <div className="analysis-scores" data-testid="analysis">
      <p className="analysis-total">
        <span className="score-big" data-testid="total-score">{analysis.totalScore ?? '—'}</span>
        <span>
          / 100 · <span className={`badge badge-${analysis.leadStatusTag ?? 'muted'}`}>{formatLabel(analysis.leadStatusTag)}</span> lead
        </span>
      </p>
      {summary ? <p className="analysis-summary">{summary}</p> : null}
      <table className="score-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Measure</span>
            </th>
            <th scope="col">Level</th>
            <th scope="col" className="num" title="0–100">
              Score
            </th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {scores.map((s) => (
            <tr key={s.key} data-score={s.key}>
              <th scope="row">{s.label}</th>
              <td>{formatLabel(s.level)}</td>
              <td className="num">{s.score ?? '—'}</td>
              <td className="reasoning">{reasoningOf(analysis.reasoning, s.key) ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="analysis">
        {analysis.conversationOutcome ? (
          <>
            <dt>Conversation</dt>
            <dd data-testid="conversation">
              {formatLabel(analysis.conversationOutcome)} · sentiment {formatLabel(analysis.sentimentLabel)}
              {analysis.sentimentScore !== null && analysis.sentimentScore !== undefined ? ` (${analysis.sentimentScore})` : ''}
              {analysis.callQualityScore !== null && analysis.callQualityScore !== undefined ? ` · quality ${analysis.callQualityScore}/100` : ''}
              {analysis.csatScore !== null && analysis.csatScore !== undefined ? ` · satisfaction ${analysis.csatScore}/100` : ''}
              {analysis.humanTransferRequested ? ` · asked for a person${analysis.humanTransferHappened ? ' (handed over)' : ''}` : ''}
            </dd>
            <dt>Topics and objections</dt>
            <dd>
              {[...(analysis.topics ?? []), ...(analysis.freeTopics ?? [])].filter(Boolean).join(', ') || 'no topics'}
              {(analysis.objections ?? []).length ? ` · objections: ${(analysis.objections ?? []).join(', ')}` : ''}
            </dd>
            {analysis.nextSteps ? (
              <>
                <dt>Next steps</dt>
                <dd>{analysis.nextSteps}</dd>
              </>
            ) : null}
          </>
        ) : null}
        <dt>Calls to action</dt>
        <dd>{ctas.length ? ctas.join(', ') : 'none'}</dd>
        {contact ? (
          <>
            <dt>From the call</dt>
            <dd>{contact}</dd>
          </>
        ) : null}
        {analysis.demoBookDatetime ? (
          <>
            <dt>Demo booked</dt>
            <dd>{formatDateTime(analysis.demoBookDatetime, timeZone)}</dd>
          </>
        ) : null}
        {analysis.smartNotification ? (
          <>
            <dt>Note</dt>
            <dd>{analysis.smartNotification}</dd>
          </>
        ) : null}
        <dt>Analysed</dt>
        <dd>
          {formatDateTime(analysis.analyzedAt, timeZone)}
          {analysis.model ? <span className="muted"> · {analysis.model}</span> : null}
        </dd>
      </dl>
    </div>
  );
}
