/**
 * Keyword signals for the built-in analyser: phrase lists per dimension and a
 * matcher that counts each phrase once, longest first, blanking what it
 * matched (so "not interested" is not also counted as "interested").
 */

export const SIGNALS = {
  intentDown: ['not interested', 'no thanks', 'no thank you', 'stop calling', 'do not call', "don't call", 'remove me', 'wrong number', 'not looking'],
  intentUp: ['interested', 'sounds good', 'sounds great', 'how much', 'price', 'pricing', 'cost', 'quote', 'sign up', 'buy', 'purchase', 'demo', 'trial', 'next step', "let's do it", 'go ahead', 'book'],
  urgencyDown: ['next year', 'no rush', 'not now', 'maybe later', 'in a few months', 'not urgent', 'some day'],
  urgencyUp: ['today', 'asap', 'as soon as possible', 'urgent', 'urgently', 'right away', 'immediately', 'this week', 'tomorrow'],
  budgetDown: ['too expensive', 'expensive', 'cheaper', 'discount', 'no budget', "can't afford", 'cannot afford', 'tight budget', 'out of budget', 'over budget', 'too much'],
  budgetUp: ['budget approved', 'have budget', 'have the budget', 'budget is fine', 'not a problem', 'affordable', 'worth it', 'reasonable'],
  fitDown: ["don't need", 'do not need', 'not a fit', 'already have', 'not relevant', 'wrong number', 'not for us'],
  fitUp: ['exactly what', 'perfect', 'we need', 'i need', 'looking for', 'would help', 'great fit', 'our team', 'use case'],
  pricing: ['price', 'pricing', 'cost', 'how much', 'quote', 'rates', 'fees'],
  demo: ['demo', 'walkthrough', 'walk through', 'book a meeting', 'schedule a meeting', 'schedule a call', 'show me'],
  followup: ['call me back', 'call back', 'follow up', 'follow-up', 'reach out', 'send me', 'email me', 'get back to me', 'call me later'],
  sample: ['sample', 'free trial', 'trial', 'try it'],
  human: ['speak to a human', 'speak to a person', 'speak to someone', 'real person', 'talk to someone', 'talk to a person', 'talk to a human', 'human agent', 'representative', 'your manager', 'transfer me'],
} as const satisfies Record<string, readonly string[]>;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The phrases of `phrases` found in `text` (lower case), and the text with them blanked out. */
export function matchPhrases(text: string, phrases: readonly string[]): { found: string[]; rest: string } {
  const found: string[] = [];
  let rest = text;
  for (const phrase of [...phrases].sort((a, b) => b.length - a.length || a.localeCompare(b))) {
    const pattern = new RegExp(`(?<![a-z0-9])${escape(phrase)}(?![a-z0-9])`, 'g');
    if (pattern.test(rest)) {
      found.push(phrase);
      rest = rest.replace(pattern, ' ');
    }
  }
  return { found: found.sort(), rest };
}

/** Negative phrases first (blanked), then the positive ones in what is left. */
export function matchPair(text: string, down: readonly string[], up: readonly string[]): { up: string[]; down: string[] } {
  const negative = matchPhrases(text, down);
  return { down: negative.found, up: matchPhrases(negative.rest, up).found };
}
