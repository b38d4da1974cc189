/**
 * What the built-in analyser reads from a transcript besides keywords: who
 * said what, and the lead's name, email, company and an agreed demo time.
 */
import { addDays, localDate, zonedTime } from './zoned-time.ts';

const AGENT_LABEL = /^\s*(assistant|agent|bot|ai|system)\s*:\s*/i;
const LEAD_LABEL = /^\s*(user|caller|customer|lead|human|client|prospect|callee)\s*:\s*/i;
/** Section headings of a multi-call transcript (see worker/analysis/transcript-text.ts). */
export const SECTION_HEADING = /^###\s/;

export interface Turns {
  /** What the lead said, one entry per turn, original case. */
  lead: string[];
  agent: string[];
}

/** Splits "agent: …" / "user: …" lines into turns; unlabelled lines continue the last speaker. Without labels, everything is the lead's. */
export function splitTurns(text: string): Turns {
  const turns: Turns = { lead: [], agent: [] };
  let current: string[] | null = null;
  let labelled = false;
  for (const line of text.split(/\r?\n/)) {
    if (SECTION_HEADING.test(line) || !line.trim()) continue;
    const agent = AGENT_LABEL.exec(line);
    const lead = agent ? null : LEAD_LABEL.exec(line);
    if (agent || lead) {
      labelled = true;
      current = agent ? turns.agent : turns.lead;
      current.push(line.slice((agent ?? lead)?.[0].length ?? 0).trim());
    } else if (current) {
      current[current.length - 1] += ` ${line.trim()}`;
    } else {
      turns.lead.push(line.trim());
    }
  }
  if (!labelled) return { lead: turns.lead, agent: [] };
  return turns;
}

const NOT_NAMES = new Set([
  'interested', 'not', 'just', 'calling', 'here', 'busy', 'fine', 'good', 'sorry', 'looking', 'the', 'a', 'ok', 'okay',
  'sure', 'yes', 'no', 'available', 'happy', 'glad', 'afraid', 'driving', 'at', 'in', 'on', 'with', 'from', 'great',
]);
const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

export function extractName(leadTurns: readonly string[]): string | null {
  const pattern = /\b(?:[Mm]y name is|[Mm]y name's|[Tt]his is|I am|I'm|[Ii]t's)\s+([A-Z][a-z'’-]+)(?:\s+([A-Z][a-z'’-]+))?/;
  for (const turn of leadTurns) {
    const match = pattern.exec(turn);
    const first = match?.[1];
    if (!first || NOT_NAMES.has(first.toLowerCase()) || isCalendarWord(first)) continue;
    const last = match[2];
    return last && !NOT_NAMES.has(last.toLowerCase()) && !isCalendarWord(last) ? `${first} ${last}` : first;
  }
  return null;
}

function isCalendarWord(word: string): boolean {
  const lower = word.toLowerCase();
  return WEEKDAY_NAMES.includes(lower) || MONTHS.includes(lower);
}

export function extractEmail(text: string): string | null {
  return /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/i.exec(text)?.[0].toLowerCase() ?? null;
}

export function extractCompany(leadTurns: readonly string[], name: string | null): string | null {
  const pattern = /\b(?:from|at|with|work for|working for|calling from|represent)\s+([A-Z][A-Za-z0-9&'-]*(?:\s+(?:[A-Z][A-Za-z0-9&'-]*|&|of)){0,3})/g;
  for (const turn of leadTurns) {
    for (const match of turn.matchAll(pattern)) {
      const company = match[1]?.replace(/\s+(?:of|&)$/, '').trim();
      if (!company || isCalendarWord(company.split(/\s+/)[0] ?? '')) continue;
      if (NOT_NAMES.has(company.toLowerCase()) || company === name) continue;
      return company;
    }
  }
  return null;
}

/**
 * An agreed demo time: a day word (today, tomorrow, a weekday) and optionally
 * a time (`3 pm`, `3:30pm`, `at 15:00`; 10:00 when none), resolved against
 * when the call started, in the tenant's time zone. Null without a day word.
 */
export function extractDemoTime(text: string, referenceTime: Date, timezone: string): string | null {
  const lower = text.toLowerCase();
  const day = /\b(today|tomorrow|sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/.exec(lower)?.[1];
  if (!day) return null;
  const today = localDate(referenceTime, timezone);
  const offset =
    day === 'today' ? 0 : day === 'tomorrow' ? 1 : (WEEKDAY_NAMES.indexOf(day) - today.weekday + 7) % 7 || 7;
  let hour = 10;
  let minute = 0;
  const twelve = /\b(\d{1,2})(?::([0-5]\d))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])/.exec(lower);
  const twentyFour = /\bat\s+([01]?\d|2[0-3]):([0-5]\d)\b/.exec(lower);
  if (twelve && Number(twelve[1]) >= 1 && Number(twelve[1]) <= 12) {
    hour = (Number(twelve[1]) % 12) + (twelve[3]?.startsWith('p') ? 12 : 0);
    minute = Number(twelve[2] ?? 0);
  } else if (twentyFour) {
    hour = Number(twentyFour[1]);
    minute = Number(twentyFour[2]);
  }
  return zonedTime(addDays(today, offset), hour, minute, timezone).toISOString();
}
