/**
 * The built-in analyser's conversation fields, by rules over the transcript
 * (deterministic: no clock, no randomness). The rules, in order of use:
 *
 * - sentiment: positive and negative phrases in what the caller said (negative
 *   ones first, blanked, so "not interested" is not "interested"); score =
 *   25 x (positive - negative), clamped to -100..100; label neutral without
 *   either, mixed with both and |score| < 50, else by the score's sign.
 * - topics: a taxonomy topic is discussed when the caller said one of its
 *   keywords; no free topics (only a model finds those).
 * - objections: phrase lists per class in what the caller said (never `other`).
 * - human transfer: requested = the caller asked for a person (the CTA
 *   phrases); happened = the agent said it transfers or connects the call.
 * - conversation outcome, first that applies: wrong_person, not_interested
 *   (refusal phrases), converted (a demo with an agreed time, or a commitment
 *   phrase), callback_requested (follow-up asked), interested (any buying
 *   signal), else no_outcome.
 * - next steps: from the outcome, the booking, pricing and transfer requests.
 * - call quality: 30 + 4 per caller turn + 2 per agent turn (each up to 10) +
 *   10 with a next step - 10 if a transfer was asked for and did not happen.
 * - satisfaction: 50 + 0.4 x sentiment + 10 when converted or interested - 15
 *   for not_interested or wrong_person - 10 for an unmet transfer request.
 * - success criteria: a criterion passes when one of its keywords appears in
 *   the transcript; without keywords it cannot be judged offline and fails.
 */
import { matchPair, matchPhrases } from './builtin-signals.ts';
import type { Turns } from './builtin-extract.ts';
import type { AnalysisContext, LeadAnalysis, OBJECTIONS } from './schema.ts';

export const CONVERSATION_SIGNALS = {
  sentimentDown: [
    'not interested', 'no thanks', 'no thank you', 'stop calling', 'annoying', 'annoyed', 'angry', 'frustrated', 'frustrating',
    'terrible', 'awful', 'waste of time', 'hate', 'upset', 'disappointed', 'ridiculous', 'worst', 'scam', 'rude', 'bad',
  ],
  sentimentUp: [
    'great', 'thanks', 'thank you', 'perfect', 'love', 'awesome', 'sounds good', 'excellent', 'happy', 'wonderful', 'helpful',
    'interested', 'nice', 'good', 'amazing', 'appreciate',
  ],
  wrongPerson: ['wrong number', 'wrong person', 'no one by that name', 'nobody by that name', 'not the person', 'you have the wrong', "doesn't live here", 'does not live here'],
  refusal: ['not interested', 'no thanks', 'no thank you', 'stop calling', 'do not call', "don't call", 'remove me', 'not looking'],
  commitment: ['sign me up', 'sign up', "let's do it", 'go ahead', "i'll take it", 'we will take it', 'count me in', 'deal', 'purchase', 'buy it'],
  interest: ['interested', 'sounds good', 'sounds great', 'how much', 'price', 'pricing', 'tell me more', 'send me', 'demo', 'trial', 'quote'],
  transferred: ['transferring you', 'transfer you', 'connecting you', 'connect you with', 'putting you through', 'let me get a colleague', 'hand you over'],
  objections: {
    price: ['too expensive', 'expensive', 'too much', "can't afford", 'cannot afford', 'over budget', 'no budget', 'cheaper', 'out of budget', 'tight budget'],
    timing: ['not now', 'bad time', 'next year', 'maybe later', 'not the right time', 'in a few months', 'busy right now', 'no rush'],
    authority: ['my boss', 'my manager', 'check with', 'not my decision', 'my partner', 'decision maker', 'need approval', 'ask my'],
    need: ["don't need", 'do not need', 'no need', 'not relevant', 'not for us', "we're fine", 'we are fine', 'not looking'],
    competitor: ['already use', 'already using', 'another provider', 'another company', 'competitor', 'current provider', 'happy with our', 'already have'],
    trust: ['scam', "don't trust", 'do not trust', 'how did you get my number', 'never heard of', 'is this legit', 'spam', 'sounds fishy'],
  } satisfies Record<Exclude<(typeof OBJECTIONS)[number], 'other'>, readonly string[]>,
} as const;

const clamp = (value: number, min: number, max: number): number => Math.max(min, Math.min(max, Math.round(value)));

export type ConversationFields = Pick<
  LeadAnalysis,
  | 'sentiment_label'
  | 'sentiment_score'
  | 'topics'
  | 'free_topics'
  | 'objections'
  | 'next_steps'
  | 'call_quality_score'
  | 'csat_score'
  | 'human_transfer_requested'
  | 'human_transfer_happened'
  | 'conversation_outcome'
  | 'success_criteria'
>;

export interface ConversationFacts {
  turns: Turns;
  /** The whole transcript, lower case. */
  everything: string;
  /** What the caller said, lower case. */
  said: string;
  pricing: boolean;
  followup: boolean;
  transferRequested: boolean;
  demoTime: string | null;
  context: AnalysisContext;
}

function has(text: string, phrases: readonly string[]): boolean {
  return matchPhrases(text, phrases).found.length > 0;
}

function sentiment(said: string): Pick<LeadAnalysis, 'sentiment_label' | 'sentiment_score'> {
  const { up, down } = matchPair(said, CONVERSATION_SIGNALS.sentimentDown, CONVERSATION_SIGNALS.sentimentUp);
  const score = clamp(25 * (up.length - down.length), -100, 100);
  if (up.length === 0 && down.length === 0) return { sentiment_label: 'neutral', sentiment_score: 0 };
  if (up.length > 0 && down.length > 0 && Math.abs(score) < 50) return { sentiment_label: 'mixed', sentiment_score: score };
  return { sentiment_label: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral', sentiment_score: score };
}

function outcome(f: ConversationFacts): LeadAnalysis['conversation_outcome'] {
  const s = CONVERSATION_SIGNALS;
  if (has(f.said, s.wrongPerson)) return 'wrong_person';
  if (has(f.said, s.refusal)) return 'not_interested';
  if (f.demoTime || has(f.said, s.commitment)) return 'converted';
  if (f.followup) return 'callback_requested';
  if (has(f.said, s.interest)) return 'interested';
  return 'no_outcome';
}

function nextSteps(o: LeadAnalysis['conversation_outcome'], f: ConversationFacts, transferred: boolean): string | null {
  const steps: string[] = [];
  if (f.demoTime) steps.push(`Confirm the booked slot (${f.demoTime}).`);
  else if (o === 'converted') steps.push('Send the sign-up details.');
  if (o === 'callback_requested') steps.push('Call back as requested.');
  if (f.pricing && o !== 'not_interested' && o !== 'wrong_person') steps.push('Send pricing.');
  if (f.transferRequested && !transferred) steps.push('Have a person call back (the caller asked for one).');
  if (o === 'wrong_person') steps.push('Correct the contact’s number.');
  if (o === 'not_interested') steps.push('Do not call again unless they opt in.');
  return steps.length > 0 ? steps.join(' ') : null;
}

/** The conversation fields of the analysis, by the rules above. */
export function conversationFields(f: ConversationFacts): ConversationFields {
  const s = CONVERSATION_SIGNALS;
  const feeling = sentiment(f.said);
  const transferred = f.turns.agent.some((turn) => has(turn.toLowerCase(), s.transferred));
  const o = outcome(f);
  const steps = nextSteps(o, f, transferred);
  const unmetTransfer = f.transferRequested && !transferred;
  const quality = clamp(
    30 + 4 * Math.min(f.turns.lead.length, 10) + 2 * Math.min(f.turns.agent.length, 10) + (steps ? 10 : 0) - (unmetTransfer ? 10 : 0),
    0,
    100,
  );
  const csat = clamp(
    50 + 0.4 * feeling.sentiment_score + (o === 'converted' || o === 'interested' ? 10 : 0) -
      (o === 'not_interested' || o === 'wrong_person' ? 15 : 0) - (unmetTransfer ? 10 : 0),
    0,
    100,
  );
  const objections = (Object.keys(s.objections) as Array<keyof typeof s.objections>).filter((key) => has(f.said, s.objections[key]));
  return {
    ...feeling,
    topics: f.context.topics.filter((topic) => topic.keywords.length > 0 && has(f.said, topic.keywords.map((k) => k.toLowerCase()))).map((t) => t.key),
    free_topics: [],
    objections,
    next_steps: steps,
    call_quality_score: quality,
    csat_score: csat,
    human_transfer_requested: f.transferRequested,
    human_transfer_happened: transferred,
    conversation_outcome: o,
    success_criteria: f.context.criteria.map((criterion) => {
      const found = matchPhrases(f.everything, criterion.keywords.map((k) => k.toLowerCase())).found;
      return {
        criterion_id: criterion.id,
        passed: found.length > 0,
        evidence:
          criterion.keywords.length === 0
            ? 'No keywords are set for the built-in analyser, so it cannot tell.'
            : found.length > 0
              ? `Found ${found.map((k) => `"${k}"`).join(', ')}.`
              : 'None of the keywords was said.',
      };
    }),
  };
}
