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

export const analysisSchema = z.strictObject({
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

export type LeadAnalysis = z.infer<typeof analysisSchema>;

/** Name of the schema in the OpenAI request. */
export const ANALYSIS_SCHEMA_NAME = 'lead_analysis';

/** The JSON Schema OpenAI receives (generated from `analysisSchema`, without `$schema`). */
export function analysisJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(analysisSchema, { target: 'draft-2020-12' });
  return schema;
}

const LIMITS: Partial<Record<keyof LeadAnalysis, number>> = {
  extracted_name: 200,
  extracted_email: 320,
  company_name: 200,
  smart_notification: 500,
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Validated output, made safe for the row: texts trimmed to their column's
 * sensible length, an unusable email dropped (the model may write "john at
 * example dot com"), empty strings as null. Throws zod's error when invalid.
 */
export function parseAnalysis(value: unknown): LeadAnalysis {
  const analysis = analysisSchema.parse(value);
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
  };
}
