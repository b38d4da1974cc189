/**
 * `sendTestCall`: the onboarding's "send a test call". It builds a realistic
 * Bolna execution (a completed two-minute call with transcript, costs and
 * telephony data) for the business's first active Bolna agent, checks it with
 * the same parser as POST /webhooks/bolna/:token (server/webhooks/bolna-payload.ts)
 * and stores + applies it with the same SQL statement (app_hidden.ingest_webhook,
 * through app_hidden.ingest_test_delivery), in the request's own transaction:
 * a read-only caller is refused by PostgreSQL. The delivery is marked
 * (`context_details.switchboard_test`), so the call gets `is_test` and
 * `removeTestCalls` takes it out again, KPIs included.
 */
import { randomUUID } from 'node:crypto';
import { sideEffectWithPgClientTransaction } from 'postgraphile/@dataplan/pg';
import { constant } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { applyFailure } from '../errors.ts';
import { parseBolnaBody } from '../webhooks/bolna-payload.ts';
import { SafeError } from './safe-error.ts';

/** A number reserved for fiction (NANP 555-01xx): a test call never reaches or names a real person. */
export const TEST_CALL_NUMBER = '+14155550100';
export const TEST_EXECUTION_PREFIX = 'switchboard-test-';

const TRANSCRIPT = [
  'assistant: Hi, this is Priya from your business. Is this a good time to talk about the demo you asked for?',
  'user: Yes, sure. What does it cost for a team of ten?',
  'assistant: For ten seats it is 49 dollars a seat per month. Shall I book a demo for Thursday at 11?',
  'user: Thursday at 11 works. Please send me the pricing too.',
  'assistant: Done: you will get the invite and the pricing by email. Thanks, and talk soon!',
].join('\n');

/** One completed Bolna execution, shaped like Bolna's execution webhook (see ../shared docs/webhooks.md). */
export function testExecution(providerAgentId: string, now: Date): Record<string, unknown> {
  const seconds = 124;
  const created = new Date(now.getTime() - (seconds + 20) * 1000);
  const iso = (date: Date): string => date.toISOString().replace('Z', '');
  return {
    id: `${TEST_EXECUTION_PREFIX}${randomUUID()}`,
    agent_id: providerAgentId,
    batch_id: null,
    conversation_time: seconds,
    conversation_duration: seconds,
    total_cost: 7.4,
    status: 'completed',
    error_message: null,
    answered_by_voice_mail: false,
    transcript: TRANSCRIPT,
    created_at: iso(created),
    updated_at: iso(now),
    cost_breakdown: { llm: 1.9, network: 0.6, platform: 2, synthesizer: 1.8, transcriber: 1.1 },
    usage_breakdown: { synthesizer_characters: 612, transcriber_duration: seconds, llm_tokens: 2380 },
    telephony_data: {
      duration: seconds + 4,
      to_number: TEST_CALL_NUMBER,
      from_number: '+14155550199',
      recording_url: null,
      hosted_telephony: true,
      provider_call_id: `test-${randomUUID()}`,
      call_type: 'outbound',
      provider: 'twilio',
      hangup_by: 'user',
      hangup_reason: 'Call recipient hung up',
      hangup_provider_code: 4000,
    },
    extracted_data: { interest: 'demo', seats: 10 },
    context_details: { switchboard_test: true, recipient_data: { name: 'Test caller' } },
  };
}

interface AgentRow {
  provider_agent_id: string;
  name: string;
}

interface IngestRow {
  duplicate: boolean;
  status: string;
  call_id: string | null;
  error_code: string | null;
  error: string | null;
}

export interface TestCallResult {
  callId: string;
  agentName: string;
}

export const TestCallPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main;
  if (!executor) throw new Error('TestCallPlugin: no main pg executor');
  return {
    typeDefs: gql`
      "A test call that went through the webhook ingest path."
      type TestCallPayload {
        "The call it created (marked as a test call)."
        callId: UUID!
        "The agent it was sent for."
        agentName: String!
      }
      extend type Mutation {
        """
        Sends a realistic completed Bolna call for your first active Bolna agent through the same
        ingest code as the Bolna webhook. It is marked as a test call: it counts in the KPIs until
        removeTestCalls takes it out. Refused (NO_AGENT) without an active Bolna agent.
        """
        sendTestCall: TestCallPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          sendTestCall() {
            return sideEffectWithPgClientTransaction(executor, constant(null), async (client): Promise<TestCallResult> => {
              // As the caller (RLS): its own agents only.
              const { rows: agents } = await client.query<AgentRow>({
                text: `select provider_agent_id, name from app_public.agents
                        where provider = 'bolna' and is_active order by created_at, id limit 1`,
              });
              const agent = agents[0];
              if (!agent) {
                throw new SafeError('Add an active Bolna agent first (Settings → Agents): a test call is sent for one of your agents.', {
                  code: 'NO_AGENT',
                  statusCode: 409,
                });
              }
              // The same validation as the webhook route, on the bytes it would receive.
              const { json } = parseBolnaBody(Buffer.from(JSON.stringify(testExecution(agent.provider_agent_id, new Date()))));
              const { rows } = await client.query<IngestRow>({ text: 'select * from app_hidden.ingest_test_delivery($1::jsonb)', values: [json] });
              const row = rows[0];
              if (!row) throw new Error('ingest_test_delivery returned no row');
              if (row.status === 'failed' || !row.call_id) {
                const failure = applyFailure(row.error_code, row.error);
                throw new SafeError(failure.message, { code: failure.code, statusCode: failure.httpStatus });
              }
              return { callId: row.call_id, agentName: agent.name };
            });
          },
        },
      },
    },
  };
}, 'SwitchboardTestCallPlugin');
