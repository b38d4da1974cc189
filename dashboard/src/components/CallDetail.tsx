/** One call's transcript and analysis (loaded when opened), a quick look with a link to the full call page. */
import { useCallDetail } from '../hooks/use-call-detail.ts';
import { formatDateTime, formatLabel } from '../format.ts';
import { navigate } from '../router.ts';
import { StatusGate } from './StatusGate.tsx';

export function CallDetail({ callId, timeZone }: { callId: string; timeZone: string }) {
  const { data, loading, error, refetch } = useCallDetail(callId);
  const analysis = data?.allLeadAnalytics?.nodes.find((node) => node !== null) ?? null;
  const transcript = data?.transcriptByCallId ?? null;
  return (
    <div className="call-detail">
      <p className="small">
        <a
          href={`/calls/${callId}`}
          onClick={(event) => {
            if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            navigate(`/calls/${callId}`);
          }}
        >
          Open the call page (timeline, recording, deliveries) →
        </a>
      </p>
      <StatusGate label="call" loading={loading} error={error} onRetry={refetch} empty={!analysis && !transcript} emptyText="No transcript or analysis for this call yet.">
        {analysis ? (
          <dl className="analysis">
            <dt>Lead</dt>
            <dd>
              {formatLabel(analysis.leadStatusTag)} · score {analysis.totalScore ?? '—'}
            </dd>
            <dt>Contact</dt>
            <dd>{[analysis.extractedName, analysis.extractedEmail, analysis.companyName].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>Intent / urgency</dt>
            <dd>
              {formatLabel(analysis.intentLevel)} / {formatLabel(analysis.urgencyLevel)}
            </dd>
            <dt>Budget / fit / engagement</dt>
            <dd>
              {formatLabel(analysis.budgetConstraint)} / {formatLabel(analysis.fitAlignment)} / {formatLabel(analysis.engagementHealth)}
            </dd>
            <dt>Calls to action</dt>
            <dd>
              {[
                analysis.ctaPricingClicked && 'pricing',
                analysis.ctaDemoClicked && 'demo',
                analysis.ctaFollowupClicked && 'follow-up',
                analysis.ctaEscalatedToHuman && 'escalated to a human',
              ]
                .filter(Boolean)
                .join(', ') || 'none'}
            </dd>
            {analysis.smartNotification ? (
              <>
                <dt>Note</dt>
                <dd>{analysis.smartNotification}</dd>
              </>
            ) : null}
            <dt>Analysed</dt>
            <dd>{formatDateTime(analysis.analyzedAt, timeZone)}</dd>
          </dl>
        ) : null}
        {transcript ? (
          <details open>
            <summary>Transcript ({formatLabel(transcript.analysisStatus)})</summary>
            <pre className="transcript">{transcript.content}</pre>
          </details>
        ) : null}
      </StatusGate>
    </div>
  );
}
