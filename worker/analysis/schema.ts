/**
 * The shape of one lead analysis, defined once: the zod schema validates what
 * an analyser returns, and the JSON Schema sent to OpenAI (structured outputs,
 * strict mode) is generated from it. Keys are the ones
 * `app_hidden.record_call_analysis` / `record_contact_analysis` read.
 *
 * Strict mode accepts every keyword used here (enum, integer minimum/maximum,
 * nullable types, nested objects with every property required and no others);
 * string lengths are not constrained in the schema (strict mode rejects
 * maxLength), so long texts are trimmed after validation instead.
 *
 * The schema depends on the tenant (`AnalysisContext`): its topic taxonomy's
 * keys are the enum of `topics`, and its active success criteria are the enum
 * of `success_criteria[].criterion_id` (each must be answered exactly once),
 * so the strict JSON Schema sent to OpenAI carries them.
 */
import { z } from 'zod';

const score = z.int().min(0).max(100);
const isoDateTime = z.iso.datetime({ offset: true, local: true });
/** Validated as ISO 8601, described to OpenAI as `format: date-time` (zod's own pattern is a huge regex). */
const dateTime = z
  .string()
  .refine((value) => isoDateTime.safeParse(value).success, 'expected an ISO 8601 date-time')
  .meta({ format: 'date-time' });
const level = z.enum(['low', 'medium', 'high']);

/** The objection classes (seed 003 `objections_raised`, as a taxonomy). */
export const OBJECTIONS = ['price', 'timing', 'authority', 'need', 'competitor', 'trust', 'other'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;
/** How a conversation ended (seed 003's outcome classes for conversations; no_outcome: none of them was clear). */
export const CONVERSATION_OUTCOMES = ['converted', 'interested', 'callback_requested', 'not_interested', 'wrong_person', 'no_outcome'] as const;

/** One topic of the tenant's taxonomy (app_public.analysis_topics). */
export interface TopicDefinition {
  key: string;
  label: string;
  description: string | null;
  /** Phrases the built-in analyser matches. */
  keywords: string[];
}

/** One active success criterion of the tenant (app_public.success_criteria). */
export interface SuccessCriterion {
  id: string;
  name: string;
  question: string;
  /** Phrases the built-in analyser looks for (passes when one is found). */
  keywords: string[];
}

/** What the schema depends on: the tenant's taxonomy and criteria. */
export interface AnalysisContext {
  topics: TopicDefinition[];
  criteria: SuccessCriterion[];
}

export const EMPTY_CONTEXT: AnalysisContext = { topics: [], criteria: [] };

/** An array of keys from `keys` (an empty array when there are none). */
function keyArray(keys: readonly string[]) {
  return keys.length > 0 ? z.array(z.enum(keys as [string, ...string[]])) : z.array(z.string()).max(0);
}

function topicList(context: AnalysisContext): string {
  return context.topics.map((t) => `${t.key} (${t.label}${t.description ? `: ${t.description}` : ''})`).join('; ');
}

function criteriaList(context: AnalysisContext): string {
  return context.criteria.map((c) => `${c.id} = ${c.name}: ${c.question}`).join('; ');
}

/** Built schemas by context (a tenant's taxonomy changes rarely; building one costs more than a job's SQL). */
const built = new Map<string, { schema: AnalysisSchema; json: Record<string, unknown> }>();
const BUILT_MAX = 200;

function buildFor(context: AnalysisContext): { schema: AnalysisSchema; json: Record<string, unknown> } {
  const key = JSON.stringify(context);
  const hit = built.get(key);
  if (hit) return hit;
  const schema = makeSchema(context);
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12' });
  if (built.size >= BUILT_MAX) built.clear();
  const entry = { schema, json };
  built.set(key, entry);
  return entry;
}

/** THE analysis schema for a tenant's taxonomy and criteria (built once per distinct context). */
export function analysisSchemaFor(context: AnalysisContext): AnalysisSchema {
  return buildFor(context).schema;
}

function makeSchema(context: AnalysisContext) {
  const criterionIds = context.criteria.map((c) => c.id);
  return analysisBase.extend({
    sentiment_label: z.enum(SENTIMENTS).describe('How the caller felt over the call overall (mixed: clearly both).'),
    sentiment_score: z.int().min(-100).max(100).describe('The caller’s sentiment from -100 (very negative) to 100 (very positive); 0 is neutral.'),
    topics: keyArray(context.topics.map((t) => t.key)).describe(
      `Topics discussed, from this taxonomy (key (label: meaning)): ${topicList(context) || 'none configured; answer []'}.`,
    ),
    free_topics: z.array(z.string()).describe('Other topics discussed that the taxonomy does not cover (a few words each, at most 5), else [].'),
    objections: z.array(z.enum(OBJECTIONS)).describe(
      'Objections the caller raised: price (cost, budget), timing (not now), authority (someone else decides), need (no need), competitor (uses or prefers another vendor), trust (doubts the caller or company), other.',
    ),
    next_steps: z.string().nullable().describe('The agreed or advisable follow-up actions in one or two sentences, or null if none.'),
    call_quality_score: score.describe('0-100: how well the agent handled the conversation (clarity, listening, answering, moving it forward).'),
    csat_score: score.describe('0-100: the caller’s likely satisfaction with the call.'),
    human_transfer_requested: z.boolean().describe('The caller asked to speak to a person.'),
    human_transfer_happened: z.boolean().describe('The call was handed over to a person (the agent transferred it).'),
    conversation_outcome: z.enum(CONVERSATION_OUTCOMES).describe(
      'How the conversation ended: converted (agreed to buy, sign up or book), interested (positive, no commitment), callback_requested, not_interested, wrong_person (wrong number or not the intended person), no_outcome (none of these is clear).',
    ),
    success_criteria: z
      .array(
        z.strictObject({
          criterion_id: criterionIds.length > 0 ? z.enum(criterionIds as [string, ...string[]]) : z.string(),
          passed: z.boolean().describe('Yes to the criterion’s question.'),
          evidence: z.string().describe('A short quote or reason from the conversation.'),
        }),
      )
      .max(criterionIds.length)
      .refine((answers) => new Set(answers.map((a) => a.criterion_id)).size === criterionIds.length, 'answer every success criterion exactly once')
      .describe(
        criterionIds.length > 0
          ? `Answer every one of these yes/no success criteria exactly once (criterion_id = name: question): ${criteriaList(context)}.`
          : 'No success criteria are configured: answer [].',
      ),
  });
}

export type AnalysisSchema = ReturnType<typeof makeSchema>;

const analysisBase = z.strictObject({
  intent_level: level.describe('How clearly the lead wants what is offered.'),
  intent_score: score.describe('0-100: buying intent.'),
  urgency_level: level.describe('How soon the lead wants to act.'),
  urgency_score: score.describe('0-100: urgency.'),
  budget_constraint: z.enum(['tight', 'moderate', 'flexible']).describe('How much the budget limits a purchase.'),
  budget_score: score.describe('0-100: 100 means budget is no obstacle.'),
  fit_alignment: z.enum(['weak', 'partial', 'strong']).describe('How well the offer fits the lead’s need.'),
  fit_score: score.describe('0-100: product fit.'),
  engagement_health: z.enum(['at_risk', 'neutral', 'healthy']).describe('How engaged the lead was in the conversation.'),
  engagement_score: score.describe('0-100: engagement.'),
  total_score: score.describe('0-100: 0.30 intent + 0.15 urgency + 0.20 budget + 0.15 fit + 0.20 engagement, rounded.'),
  lead_status_tag: z.enum(['hot', 'warm', 'cold']).describe('hot: total >= 70; warm: 45-69; cold: below 45.'),
  reasoning: z
    .strictObject({
      intent: z.string(),
      urgency: z.string(),
      budget: z.string(),
      fit: z.string(),
      engagement: z.string(),
      summary: z.string().describe('One sentence a sales manager can act on.'),
    })
    .describe('Short evidence from the conversation for each score.'),
  cta_interactions: z
    .strictObject({
      pricing_clicked: z.boolean().describe('Asked about price, cost or a quote.'),
      demo_clicked: z.boolean().describe('Asked for or agreed to a demo or meeting.'),
      followup_clicked: z.boolean().describe('Asked to be called back or contacted again.'),
      sample_clicked: z.boolean().describe('Asked for a sample or a trial.'),
      escalated_to_human: z.boolean().describe('Asked to speak to a person.'),
    })
    .describe('What the lead asked for during the call.'),
  extracted_name: z.string().nullable().describe('The lead’s name if stated, else null.'),
  extracted_email: z.string().nullable().describe('The lead’s email address if stated, else null.'),
  company_name: z.string().nullable().describe('The lead’s company if stated, else null.'),
  smart_notification: z
    .string()
    .nullable()
    .describe('A short actionable message for the manager (under 160 characters), or null if nothing needs doing.'),
  demo_book_datetime: dateTime
    .nullable()
    .describe('ISO 8601 date-time of a booked demo or meeting (with the tenant’s offset), else null.'),
});

export type LeadAnalysis = z.infer<AnalysisSchema>;

/** Name of the schema in the OpenAI request. */
export const ANALYSIS_SCHEMA_NAME = 'lead_analysis';

/** The JSON Schema OpenAI receives (generated from the tenant's schema, without `$schema`). */
export function analysisJsonSchema(context: AnalysisContext): Record<string, unknown> {
  return buildFor(context).json;
}

const LIMITS = {
  extracted_name: 200,
  extracted_email: 320,
  company_name: 200,
  smart_notification: 500,
  next_steps: 500,
} as const satisfies Partial<Record<keyof LeadAnalysis, number>>;

const FREE_TOPICS_MAX = 5;
const FREE_TOPIC_MAX_CHARS = 60;
const EVIDENCE_MAX_CHARS = 500;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Validated output, made safe for the row: texts trimmed to their column's
 * sensible length, an unusable email dropped (the model may write "john at
 * example dot com"), empty strings as null. Throws zod's error when invalid.
 */
export function parseAnalysis(value: unknown, context: AnalysisContext): LeadAnalysis {
  const analysis = analysisSchemaFor(context).parse(value);
  const clean = (key: keyof typeof LIMITS, text: string | null): string | null => {
    const trimmed = text?.trim();
    return trimmed ? trimmed.slice(0, LIMITS[key]) : null;
  };
  const email = clean('extracted_email', analysis.extracted_email);
  return {
    ...analysis,
    extracted_name: clean('extracted_name', analysis.extracted_name),
    extracted_email: email && EMAIL.test(email) ? email : null,
    company_name: clean('company_name', analysis.company_name),
    smart_notification: clean('smart_notification', analysis.smart_notification),
    next_steps: clean('next_steps', analysis.next_steps),
    topics: [...new Set(analysis.topics)],
    objections: [...new Set(analysis.objections)],
    free_topics: [...new Set(analysis.free_topics.map((t) => t.trim().slice(0, FREE_TOPIC_MAX_CHARS)).filter(Boolean))].slice(0, FREE_TOPICS_MAX),
    success_criteria: analysis.success_criteria.map((a) => ({ ...a, evidence: a.evidence.trim().slice(0, EVIDENCE_MAX_CHARS) })),
  };
}
