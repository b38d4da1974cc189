/**
 * Provider payloads as Bolna and Twilio document them (Bolna's execution
 * webhook, Twilio's voice status callback), their signatures (Twilio's computed by
 * the real `twilio` package), and seeded delivery orders with repeats.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { createRandom } from '../../server/seed/random.ts';
import { bolnaSignature } from '../../server/webhooks/signatures.ts';

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

// --- signatures ----------------------------------------------------------------

export function signBolna(secret: string, body: string): string {
  return bolnaSignature(secret, Buffer.from(body, 'utf8'));
}

/** What Twilio would send as X-Twilio-Signature (computed by the twilio package). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

// --- payloads ------------------------------------------------------------------

export type BolnaPayload = Record<string, unknown>;

export interface BolnaCallSpec {
  /** Bolna's agent_id (the agent's provider id). */
  agentId: string;
  executionId?: string;
  toNumber?: string;
  fromNumber?: string;
  createdAt?: Date;
  /** Seconds of conversation in the final event (default 87.4). */
  conversationSeconds?: number;
  /** Cents (default 12.35). */
  totalCost?: number;
  transcript?: string;
  recordingUrl?: string;
  /**
   * A scheduled execution: created at `createdAt` (status scheduled), dialled at
   * `dialledAt` (queued 2 s before, then initiated); later events follow the dial.
   */
  dialledAt?: Date;
}

const SAMPLE_TRANSCRIPT =
  'assistant: Hi, this is Maya from Acme Solar. Is this a good time?\n' +
  'user: Sure, I was looking at panels for my house.\n' +
  'assistant: Great! Could I book a site survey for Thursday?\n' +
  'user: Thursday works, send me the pricing first please.';

function at(start: Date, seconds: number): string {
  return new Date(start.getTime() + seconds * 1000).toISOString();
}

/**
 * One Bolna execution as it is posted on each status change: queued, ringing,
 * in-progress, call-disconnected, completed (2.5 minutes after the disconnect).
 * Only the final event carries duration, cost, recording and transcript; the
 * disconnect carries a provisional duration that must not be used.
 */
export function bolnaSequence(spec: BolnaCallSpec): BolnaPayload[] {
  const id = spec.executionId ?? randomUUID();
  const created = spec.createdAt ?? new Date(Date.UTC(2026, 10, 20, 9, 30, 0));
  // Event times count from the dial (a scheduled execution) or from the creation.
  const base = spec.dialledAt ?? created;
  const conversation = spec.conversationSeconds ?? 87.4;
  const providerCallId = `CA${randomHex(16)}`;
  const telephony = (final: boolean, disconnected: boolean): BolnaPayload => ({
    duration: final ? String(Math.round(conversation) + 8) : null,
    to_number: spec.toNumber ?? '+14155550123',
    from_number: spec.fromNumber ?? '+14155559876',
    recording_url: final ? (spec.recordingUrl ?? `https://recordings.example.com/${id}.mp3`) : null,
    hosted_telephony: true,
    provider_call_id: providerCallId,
    call_type: 'outbound',
    provider: 'twilio',
    hangup_by: final || disconnected ? 'Callee' : null,
    hangup_reason: final || disconnected ? 'Call recipient hungup' : null,
    hangup_provider_code: final || disconnected ? 4000 : null,
  });
  const event = (status: string, seconds: number, final = false): BolnaPayload => ({
    id,
    agent_id: spec.agentId,
    batch_id: null,
    conversation_time: final ? conversation : 0,
    conversation_duration: final ? conversation : status === 'call-disconnected' ? conversation - 3 : 0,
    total_cost: final ? (spec.totalCost ?? 12.35) : 0,
    status,
    error_message: null,
    answered_by_voice_mail: false,
    transcript: final ? (spec.transcript ?? SAMPLE_TRANSCRIPT) : null,
    created_at: created.toISOString(),
    updated_at: at(base, seconds),
    cost_breakdown: final
      ? { llm: 1.2, network: 0.4, platform: 2, synthesizer: 5.25, transcriber: 3.5 }
      : { llm: 0, network: 0, platform: 0, synthesizer: 0, transcriber: 0 },
    usage_breakdown: final
      ? { synthesizer_characters: 812, transcriber_duration: conversation, llm_tokens: 2300, llm_model: { 'gpt-4o-mini': 2300 } }
      : null,
    telephony_data: telephony(final, status === 'call-disconnected'),
    transfer_call_data: null,
    batch_run_details: null,
    extracted_data: final ? { interested: true, survey_day: 'Thursday' } : null,
    context_details: { recipient_data: { name: 'Dana' } },
  });
  const ended = 8 + conversation;
  if (spec.dialledAt) {
    return [
      { ...event('scheduled', 0), updated_at: created.toISOString() },
      event('queued', -2),
      event('initiated', 0),
      event('ringing', 2),
      event('in-progress', 8),
      event('call-disconnected', ended),
      event('completed', ended + 150, true),
    ];
  }
  return [
    event('queued', 0),
    event('ringing', 2),
    event('in-progress', 8),
    event('call-disconnected', ended),
    event('completed', ended + 150, true),
  ];
}

export interface TwilioCallSpec {
  accountSid: string;
  /** Our number (From of an outbound call). */
  from: string;
  to?: string;
  callSid?: string;
  start?: Date;
  /** CallDuration of the completed event (default 64). */
  duration?: number;
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** A Twilio outbound call's status callbacks: initiated, ringing, in-progress (answered), completed. */
export function twilioSequence(spec: TwilioCallSpec): Record<string, string>[] {
  const callSid = spec.callSid ?? `CA${randomHex(16)}`;
  const start = spec.start ?? new Date(Date.UTC(2026, 10, 20, 10, 0, 0));
  const duration = spec.duration ?? 64;
  const base = {
    AccountSid: spec.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallbackSource: 'call-progress-events',
    Called: spec.to ?? '+14155550188',
    Caller: spec.from,
    Direction: 'outbound-api',
    From: spec.from,
    To: spec.to ?? '+14155550188',
  };
  const event = (status: string, sequence: number, seconds: number, extra: Record<string, string> = {}): Record<string, string> => ({
    ...base,
    CallStatus: status,
    SequenceNumber: String(sequence),
    Timestamp: rfc2822(new Date(start.getTime() + seconds * 1000)),
    ...extra,
  });
  return [
    event('initiated', 0, 0),
    event('ringing', 1, 3),
    event('in-progress', 2, 9),
    event('completed', 3, 9 + duration, {
      CallDuration: String(duration),
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${spec.accountSid}/Recordings/RE${randomHex(16)}`,
      RecordingSid: `RE${randomHex(16)}`,
      RecordingDuration: String(duration - 2),
    }),
  ];
}

// --- ordering ----------------------------------------------------------------------

/** A seeded Fisher-Yates shuffle (a new array). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Each item 1-3 times (seeded), then shuffled: deliveries with repeats in any order. */
export function withRepeats<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed * 7919 + 1);
  return shuffled(
    items.flatMap((item) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => item)),
    seed,
  );
}
