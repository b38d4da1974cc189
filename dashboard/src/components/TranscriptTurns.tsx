/** A transcript as a conversation: the speaker turns parsed from the provider's transcript, else its plain text. */
import { formatDuration } from '../format.ts';

export interface SpeakerTurn {
  speaker: 'agent' | 'user' | 'unknown';
  text: string;
  start: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored speaker_segments (JSON) as turns; anything malformed is left out. */
export function speakerTurns(segments: unknown): SpeakerTurn[] {
  if (!Array.isArray(segments)) return [];
  return segments.flatMap((segment: unknown): SpeakerTurn[] => {
    if (!isRecord(segment) || typeof segment.text !== 'string' || !segment.text.trim()) return [];
    const speaker = segment.speaker === 'agent' || segment.speaker === 'user' ? segment.speaker : 'unknown';
    return [{ speaker, text: segment.text, start: typeof segment.start === 'number' ? segment.start : null }];
  });
}

export function TranscriptTurns({ content, segments, agentName }: { content: string; segments: unknown; agentName: string }) {
  const turns = speakerTurns(segments);
  if (turns.length === 0) {
    return content.trim() ? <pre className="transcript" data-testid="transcript-text">{content}</pre> : <p className="muted">The transcript is empty.</p>;
  }
  return (
    <ol className="turns" data-testid="transcript-turns">
      {turns.map((turn, i) => (
        <li key={i} className={`turn turn-${turn.speaker}`} data-speaker={turn.speaker}>
          <span className="turn-who">
            {turn.speaker === 'agent' ? agentName : turn.speaker === 'user' ? 'Caller' : 'Speaker'}
            {turn.start !== null ? <span className="muted"> · {formatDuration(turn.start)}</span> : null}
          </span>
          <span className="turn-text">{turn.text}</span>
        </li>
      ))}
    </ol>
  );
}
