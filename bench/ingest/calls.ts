/**
 * Realistic terminal calls for the ingest workloads: a status mix, durations,
 * numbers from the tenant's contact pool, started just now. Deterministic for
 * a given seed, so bare and pipeline runs insert the same kind of rows.
 */
import type { FixtureTenant } from './fixture.ts';

export type Random = () => number;

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export interface CallRow {
  userId: string;
  agentId: string;
  providerCallId: string;
  phone: string;
  direction: 'inbound' | 'outbound';
  callSource: 'phone' | 'internet' | 'unknown';
  status: 'completed' | 'busy' | 'no_answer' | 'failed';
  voicemail: boolean;
  durationSeconds: number;
  costCents: string;
}

function status(random: Random): CallRow['status'] {
  const x = random();
  if (x < 0.6) return 'completed';
  if (x < 0.8) return 'no_answer';
  if (x < 0.92) return 'busy';
  return 'failed';
}

/** One terminal call of `tenant` (agent chosen at random unless given). */
export function makeCall(random: Random, tenant: FixtureTenant, providerCallId: string, agentId?: string): CallRow {
  const callStatus = status(random);
  const voicemail = callStatus === 'completed' && random() < 0.08;
  let durationSeconds = 0;
  if (callStatus === 'completed') {
    // Mostly short conversations, a long tail up to 15 minutes; some completed without conversation.
    durationSeconds = random() < 0.03 ? 0 : voicemail ? 15 + Math.floor(random() * 30) : 10 + Math.floor(random() ** 2 * 890);
  }
  const sourceRoll = random();
  return {
    userId: tenant.id,
    agentId: agentId ?? pick(random, tenant.agentIds),
    providerCallId,
    phone: pick(random, tenant.phones),
    direction: random() < 0.8 ? 'outbound' : 'inbound',
    callSource: sourceRoll < 0.9 ? 'phone' : sourceRoll < 0.98 ? 'internet' : 'unknown',
    status: callStatus,
    voicemail,
    durationSeconds,
    costCents: (durationSeconds * 0.15).toFixed(4),
  };
}

const COLUMNS = `user_id, agent_id, provider, provider_call_id, phone_number, direction, call_source, status,
  answered_by_voicemail, started_at, answered_at, ended_at, duration_seconds, cost_cents`;

/** Single-row INSERT (sent as a named prepared statement). The call ended now. */
export const INSERT_ONE = `insert into app_public.calls (${COLUMNS})
values ($1, $2, 'bolna', $3, $4, $5, $6, $7, $8,
        now() - $9::int * interval '1 second',
        case when $7 = 'completed' and $9::int > 0 then now() - $9::int * interval '1 second' end,
        now(), $9::int, $10)`;

export function insertOneValues(call: CallRow): unknown[] {
  return [
    call.userId, call.agentId, call.providerCallId, call.phone, call.direction, call.callSource, call.status,
    call.voicemail, call.durationSeconds, call.costCents,
  ];
}

/** One multi-row INSERT of a batch (arrays unnested server-side). */
export const INSERT_BATCH = `insert into app_public.calls (${COLUMNS})
select u, a, 'bolna', p, ph, d, s, st, vm,
       now() - dur * interval '1 second',
       case when st = 'completed' and dur > 0 then now() - dur * interval '1 second' end,
       now(), dur, cost
  from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::boolean[], $9::int[], $10::numeric[]) as t(u, a, p, ph, d, s, st, vm, dur, cost)`;

export function insertBatchValues(calls: readonly CallRow[]): unknown[] {
  return [
    calls.map((c) => c.userId), calls.map((c) => c.agentId), calls.map((c) => c.providerCallId),
    calls.map((c) => c.phone), calls.map((c) => c.direction), calls.map((c) => c.callSource),
    calls.map((c) => c.status), calls.map((c) => c.voicemail), calls.map((c) => c.durationSeconds),
    calls.map((c) => c.costCents),
  ];
}

export const COPY_CALLS = `copy app_public.calls (${COLUMNS}) from stdin`;

/** One line of COPY text format for a call that ended at `endedAt`. */
export function copyLine(call: CallRow, endedAt: Date): string {
  const started = new Date(endedAt.getTime() - call.durationSeconds * 1000).toISOString();
  const answered = call.status === 'completed' && call.durationSeconds > 0 ? started : '\\N';
  return [
    call.userId, call.agentId, 'bolna', call.providerCallId, call.phone, call.direction, call.callSource, call.status,
    call.voicemail ? 't' : 'f', started, answered, endedAt.toISOString(), String(call.durationSeconds), call.costCents,
  ].join('\t');
}
