/** The user message an LLM analyser receives: the call details, then the transcript. */
import type { AnalysisInput, CallContext } from './types.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

/** `Fri 20 Nov 2026, 14:03` in `timezone` (one formatter per zone: building one costs far more than formatting). */
export function localTime(at: Date, timezone: string): string {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      weekday: 'short',
      day: '2-digit',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timezone, format);
  }
  return format.format(at);
}

export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
}

/** One line describing a call: `Fri 20 Nov 2026, 14:03 — outbound, 4 min 05 s`. */
export function describeCall(call: CallContext, timezone: string): string {
  return `${localTime(call.startedAt, timezone)} — ${call.direction}, ${formatDuration(call.durationSeconds)}`;
}

/** The tenant's topic taxonomy and success criteria, as the model should use them. */
function contextLines(input: AnalysisInput): string[] {
  const { topics, criteria } = input.context;
  return [
    topics.length > 0
      ? `Topic taxonomy (key: label — meaning): ${topics.map((t) => `${t.key}: ${t.label}${t.description ? ` — ${t.description}` : ''}`).join('; ')}.`
      : 'Topic taxonomy: none configured (topics: []).',
    criteria.length > 0
      ? ['Success criteria (answer each once, by criterion_id):', ...criteria.map((c) => `- ${c.id}: ${c.name} — ${c.question}`)].join('\n')
      : 'Success criteria: none configured (success_criteria: []).',
    '',
  ];
}

export function userMessage(input: AnalysisInput): string {
  const header =
    input.kind === 'individual'
      ? [`Call: ${input.calls[0] ? describeCall(input.calls[0], input.timezone) : 'unknown'}`]
      : [`Analysed calls with this lead: ${input.calls.length} (oldest first); the latest started ${localTime(input.referenceTime, input.timezone)}.`];
  return [
    ...header,
    `Time zone: ${input.timezone} (resolve relative dates against the call time above).`,
    '',
    ...contextLines(input),
    input.kind === 'individual' ? 'Transcript:' : 'Transcripts:',
    '"""',
    input.transcript,
    '"""',
  ].join('\n');
}
