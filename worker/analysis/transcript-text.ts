/**
 * Transcript text as an analyser receives it, capped so one request stays a
 * sensible size: one call keeps its beginning and its end (where outcomes and
 * bookings are), the complete analysis keeps the most recent calls first.
 */
import { describeCall } from './messages.ts';
import type { CallContext } from './types.ts';

/** Longest transcript of one call sent for its individual analysis (characters). */
export const INDIVIDUAL_MAX_CHARS = 30_000;
/** Longest text sent for a complete analysis, all calls together. */
export const COMPLETE_MAX_CHARS = 40_000;
/** Longest part of one call within the complete analysis. */
export const COMPLETE_PER_CALL_MAX_CHARS = 8_000;
/** Most calls included in a complete analysis (the most recent). */
export const COMPLETE_MAX_CALLS = 20;

/** `text` cut to `max` characters: two thirds from the start, one third from the end, with a marker between. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `\n[… ${text.length - max} characters omitted …]\n`;
  const room = Math.max(0, max - marker.length);
  const head = Math.ceil((room * 2) / 3);
  return text.slice(0, head) + marker + text.slice(text.length - (room - head));
}

export interface CallTranscript extends CallContext {
  content: string;
}

/**
 * The text of a lead's calls for the complete analysis: the most recent calls
 * that fit (at most COMPLETE_MAX_CALLS, each capped), presented oldest first,
 * each under a `### Call i of n — <time>, <direction>, <duration>` heading.
 * `calls` must be ordered most recent first. Returns the calls included too.
 */
export function completeText(calls: readonly CallTranscript[], timezone: string): { text: string; included: CallTranscript[] } {
  const included: CallTranscript[] = [];
  let used = 0;
  for (const call of calls.slice(0, COMPLETE_MAX_CALLS)) {
    const size = Math.min(call.content.length, COMPLETE_PER_CALL_MAX_CHARS) + 100;
    if (included.length > 0 && used + size > COMPLETE_MAX_CHARS) break;
    included.push(call);
    used += size;
  }
  included.reverse();
  const text = included
    .map((call, i) => `### Call ${i + 1} of ${included.length} — ${describeCall(call, timezone)}\n${capText(call.content.trim(), COMPLETE_PER_CALL_MAX_CHARS)}`)
    .join('\n\n');
  return { text, included };
}
