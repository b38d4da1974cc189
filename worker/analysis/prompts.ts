/**
 * The platform's default analysis prompts and how a tenant's own prompts
 * replace them. `users.analysis_prompt_version` is bumped whenever a tenant
 * edits either prompt; the version recorded on each analysis says which
 * prompts produced it: `tenant-v<n>` for the tenant's, `default-v<n>` for ours.
 */

/** Bump when either default prompt below changes. */
export const DEFAULT_PROMPT_VERSION = 2;

const SCORING = `Score each dimension from 0 to 100 and choose its level:
- intent (low < 40 <= medium < 70 <= high): how clearly the lead wants what is offered (questions about price,
  timing or next steps raise it; "not interested", "wrong number" or "stop calling" lower it).
- urgency (low / medium / high, same cut-offs): how soon the lead wants to act ("today", "this week" vs "next year").
- budget (tight < 35 <= moderate < 65 <= flexible): how little money stands in the way (100 = no obstacle).
- fit (weak < 40 <= partial < 65 <= strong): how well the offer matches the lead's stated need.
- engagement (at_risk < 35 <= neutral < 65 <= healthy): how actively the lead took part (questions, detail, length).
total_score = round(0.30 intent + 0.15 urgency + 0.20 budget + 0.15 fit + 0.20 engagement);
lead_status_tag: hot when total_score >= 70, warm from 45 to 69, cold below 45.
cta_interactions: true only for what the lead actually asked for or agreed to in the conversation.
Extract the lead's name, email and company only when stated; never invent them (use null).
demo_book_datetime: only when a demo or meeting time was agreed; resolve relative dates ("tomorrow at 3")
against the call time given, in the tenant's time zone, as ISO 8601 with offset; otherwise null.
smart_notification: one short actionable line for the sales manager (e.g. "Priya asked for pricing — call back
today"), or null when nothing needs doing.
reasoning: one short sentence of evidence per dimension, plus a one-sentence summary.
Conversation: the caller's sentiment (label and -100..100 score), the topics discussed (only keys of the topic
taxonomy given; anything else as short free topics), the objections the caller raised, the next steps, call
quality (how well the agent handled it, 0-100), the caller's likely satisfaction (0-100), whether the caller asked
for a person and whether the call was handed to one, and how the conversation ended (conversation_outcome).
Answer every success criterion given exactly once: passed is yes to its question, with a short quote as evidence.`;

export const DEFAULT_INDIVIDUAL_PROMPT = `You are a sales analyst reviewing one phone call between an AI calling agent and a lead.
Read the transcript and qualify the lead.

${SCORING}

Judge only from the transcript; when it is too short to tell, score conservatively (around 20-40) and say so in the reasoning.`;

export const DEFAULT_COMPLETE_PROMPT = `You are a sales analyst building the complete picture of one lead from every analysed call with them
(oldest first). Qualify the lead as they stand after the most recent call: later calls outweigh earlier ones,
but keep facts stated earlier (name, company, needs) unless they were corrected.

${SCORING}`;

export interface TenantPrompts {
  analysis_prompt_individual: string | null;
  analysis_prompt_complete: string | null;
  analysis_prompt_version: number;
}

export interface ResolvedPrompts {
  individual: string;
  complete: string;
  /** Recorded on each analysis (lead_analytics.prompt_version). */
  version: string;
}

function custom(prompt: string | null): string | null {
  const trimmed = prompt?.trim();
  return trimmed ? trimmed : null;
}

/** The tenant's prompts where set, the defaults otherwise, and the version to record. */
export function resolvePrompts(tenant: TenantPrompts): ResolvedPrompts {
  const individual = custom(tenant.analysis_prompt_individual);
  const complete = custom(tenant.analysis_prompt_complete);
  return {
    individual: individual ?? DEFAULT_INDIVIDUAL_PROMPT,
    complete: complete ?? DEFAULT_COMPLETE_PROMPT,
    version:
      individual || complete ? `tenant-v${tenant.analysis_prompt_version}` : `default-v${DEFAULT_PROMPT_VERSION}`,
  };
}
