/**
 * The built-in analyser, used when no OPENAI_API_KEY is configured: keyword
 * and heuristic scoring of what the lead said, deterministic (the same input
 * always gives the same analysis, with no clock or randomness involved), so the
 * demo and the tests work offline. Rows it writes say analyzer 'builtin'.
 * It computes the five sub-scores; the total, the temperature and the levels
 * come from the lead rules in SQL (`app_hidden.lead_grade`, through `grade`).
 * The conversation fields (sentiment, topics, objections, outcome, criteria...)
 * follow the rules documented in builtin-conversation.ts.
 */
import { conversationFields } from './builtin-conversation.ts';
import { extractCompany, extractDemoTime, extractEmail, extractName, splitTurns } from './builtin-extract.ts';
import { matchPair, matchPhrases, SIGNALS } from './builtin-signals.ts';
import type { GradeLead } from './grade.ts';
import { parseAnalysis, type LeadAnalysis } from './schema.ts';
import type { AnalysisInput, Analyzer } from './types.ts';

export const BUILTIN_MODEL = 'switchboard-builtin-v1';

const clamp = (value: number): number => Math.max(0, Math.min(100, Math.round(value)));

function signalScore(base: number, up: readonly string[], down: readonly string[]): number {
  return clamp(base + 18 * up.length - 25 * down.length);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function quoted(phrases: readonly string[]): string {
  return phrases.map((phrase) => `"${phrase}"`).join(', ');
}

function evidence(up: readonly string[], down: readonly string[], none: string): string {
  const parts = [up.length ? `positive: ${quoted(up)}` : '', down.length ? `negative: ${quoted(down)}` : ''].filter(Boolean);
  return parts.length ? `Keywords ${parts.join('; ')}.` : none;
}

function notification(a: Omit<LeadAnalysis, 'smart_notification'>, timezone: string): string | null {
  const who = a.extracted_name ?? 'The lead';
  const cta = a.cta_interactions;
  if (cta.escalated_to_human) return `${who} asked to speak to a person — call back within the hour`;
  if (cta.pricing_clicked && a.total_score >= 55) return `${who} asked for pricing — call back today`;
  if (cta.demo_clicked) {
    const slot = a.demo_book_datetime
      ? ` on ${new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(a.demo_book_datetime))}`
      : '';
    return `${who} wants a demo — confirm the slot${slot}`;
  }
  if (a.lead_status_tag === 'hot') return `Hot lead: ${who}${a.company_name ? ` from ${a.company_name}` : ''} — reach out today`;
  if (cta.followup_clicked) return `${who} asked to be contacted again — follow up`;
  return null;
}

/** The analysis of `input` by keywords and heuristics (deterministic; the lead rules from `grade`). */
export async function analyzeBuiltin(input: AnalysisInput, grade: GradeLead): Promise<LeadAnalysis> {
  const turns = splitTurns(input.transcript);
  const leadText = turns.lead.join('\n');
  const said = leadText.toLowerCase();
  const everything = input.transcript.toLowerCase();

  const intent = matchPair(said, SIGNALS.intentDown, SIGNALS.intentUp);
  const urgency = matchPair(said, SIGNALS.urgencyDown, SIGNALS.urgencyUp);
  const budget = matchPair(said, SIGNALS.budgetDown, SIGNALS.budgetUp);
  const fit = matchPair(said, SIGNALS.fitDown, SIGNALS.fitUp);
  const has = (name: keyof typeof SIGNALS): boolean => matchPhrases(said, SIGNALS[name]).found.length > 0;

  const words = said.split(/\s+/).filter(Boolean).length;
  const questions = (leadText.match(/\?/g) ?? []).length;
  const engagement = clamp(
    15 + (Math.min(words, 300) / 300) * 45 + Math.min(turns.lead.length, 10) * 3 + Math.min(questions, 5) * 4 - 20 * intent.down.length,
  );
  const scores = {
    intent_score: signalScore(35, intent.up, intent.down),
    urgency_score: signalScore(30, urgency.up, urgency.down),
    budget_score: signalScore(50, budget.up, budget.down),
    fit_score: signalScore(45, fit.up, fit.down),
    engagement_score: engagement,
  };
  const { total_score: total, lead_status_tag: tag, ...levels } = await grade(scores);
  const cta = {
    pricing_clicked: has('pricing'),
    demo_clicked: has('demo'),
    followup_clicked: has('followup'),
    sample_clicked: has('sample'),
    escalated_to_human: has('human'),
  };
  const name = extractName(turns.lead);
  const demoTime = cta.demo_clicked ? extractDemoTime(input.transcript, input.referenceTime, input.timezone) : null;
  const over = input.kind === 'complete' ? ` over ${plural(input.calls.length, 'call')}` : '';
  const draft: Omit<LeadAnalysis, 'smart_notification'> = {
    ...scores,
    ...levels,
    total_score: total,
    lead_status_tag: tag,
    reasoning: {
      intent: evidence(intent.up, intent.down, 'No clear buying signal.'),
      urgency: evidence(urgency.up, urgency.down, 'No timeline mentioned.'),
      budget: evidence(budget.up, budget.down, 'Budget not discussed.'),
      fit: evidence(fit.up, fit.down, 'Need not stated.'),
      engagement: `${plural(turns.lead.length, 'turn')}, ${plural(words, 'word')} and ${plural(questions, 'question')} from the lead.`,
      summary: `${tag[0]?.toUpperCase()}${tag.slice(1)} lead${over}: ${levels.intent_level} intent, ${levels.urgency_level} urgency, ${levels.fit_alignment} fit (keyword analysis).`,
    },
    cta_interactions: cta,
    extracted_name: name,
    extracted_email: extractEmail(leadText) ?? extractEmail(everything),
    company_name: extractCompany(turns.lead, name),
    demo_book_datetime: demoTime,
    ...conversationFields({
      turns,
      everything,
      said,
      pricing: cta.pricing_clicked,
      followup: cta.followup_clicked,
      transferRequested: cta.escalated_to_human,
      demoTime,
      context: input.context,
    }),
  };
  // Through the same validation as a model's answer.
  return parseAnalysis({ ...draft, smart_notification: notification(draft, input.timezone) }, input.context);
}

export function createBuiltinAnalyzer(grade: GradeLead): Analyzer {
  return {
    name: 'builtin',
    model: BUILTIN_MODEL,
    analyze: (input) => analyzeBuiltin(input, grade),
  };
}
