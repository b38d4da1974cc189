/**
 * The statements that generate one chunk of calls (generator indexes $2..$3),
 * set-based: `generate_series` -> per-index hash draws -> tenant, agent, local
 * day and hour, outcome, duration, contact, materialized in the session's chunk
 * table; then the chunk's new contacts, its calls (through the real triggers:
 * contact link, rollup deltas, credits) and their analyses and transcripts.
 * Reads the temp tables written by `prepareGenerator` (generate.ts).
 *
 * FILL_CHUNK parameters: $1 seed, $2 first index, $3 last index, $4 tenant lower
 * bounds (float8[]), $5 days, $6 analysed share of successful calls, $7 Bolna id
 * prefix, $8 Twilio id prefix. analysesSql: $1 seed, with transcripts $2 the
 * scripts (jsonb).
 */
import { sqlUniform } from './random.ts';
import { WEEKDAY_HOUR_BOUNDS_SQL, WEEKEND_HOUR_BOUNDS_SQL } from './patterns.ts';

export const SEED_TENANTS = 'pg_temp.switchboard_seed_tenants';
export const SEED_AGENTS = 'pg_temp.switchboard_seed_agents';
export const SEED_CHUNK = 'pg_temp.switchboard_seed_chunk';

/** One generated call per row, before it is inserted. */
export const CREATE_CHUNK_TABLE = `
  create temp table switchboard_seed_chunk (
    i bigint not null, id uuid not null, tz text not null, end_ts timestamptz not null, user_id uuid not null,
    agent_id uuid not null, agent_name text not null, provider text not null, business text not null,
    product text not null, kind text not null, started_at timestamptz not null, duration_seconds int not null,
    first_name text not null, last_name text not null, company text not null, caller_name text,
    phone_number text not null, provider_call_id text not null, direction text not null, call_source text not null,
    status text not null, answered_by_voicemail boolean not null, ringing_at timestamptz, answered_at timestamptz,
    ended_at timestamptz, analyzed boolean not null, hangup_by text, hangup_reason text, hangup_code int)`;

const u = (draw: number): string => sqlUniform('i', '$1', draw);
const ua = (draw: number): string => sqlUniform('g.i', '$1', draw);

/** Which script a transcript follows, from its analysis (0 pricing, 1 demo, 2 call back, 3 not interested, 4 escalation, 5 sample). */
const SCRIPT = `case when a.cta_escalated_to_human then 4 when a.cta_demo_clicked then 1
                     when a.cta_pricing_clicked then 0 when a.cta_sample_clicked then 5
                     when a.cta_followup_clicked then 2 when a.lead_status_tag = 'cold' then 3
                     else (array[0, 2, 5])[1 + floor(${sqlUniform('a.i', '$1', 17)} * 3)::int] end`;

export const FILL_CHUNK = `
insert into ${SEED_CHUNK}
with r as (
  select i, ${u(1)} as u1, ${u(2)} as u2, ${u(3)} as u3, ${u(4)} as u4, ${u(5)} as u5, ${u(6)} as u6,
         ${u(7)} as u7, ${u(8)} as u8, ${u(9)} as u9, ${u(10)} as u10, ${u(11)} as u11, ${u(12)} as u12,
         ${u(13)} as u13, ${u(14)} as u14, ${u(15)} as u15, ${u(16)} as u16
    from generate_series($2::bigint, $3::bigint) i
), p as materialized (
  -- tenant, agent, local day and time, contact: narrow columns only (no arrays), computed once
  select r.i, r.u6, r.u7, r.u8, r.u9, r.u10, r.u12, r.u13, r.u14, r.u15, r.u16,
         st.user_id, st.tz, st.end_ts, st.day_start, st.frac_today, st.business, st.product,
         sa.agent_id, sa.agent_name, sa.provider, sa.skill, sa.outbound_share, d.dslot,
         ((d.day + ((width_bucket(r.u4, case when extract(isodow from d.day) >= 6 then ${WEEKEND_HOUR_BOUNDS_SQL}
                                             else ${WEEKDAY_HOUR_BOUNDS_SQL} end) - 1) * 3600
                    + floor(r.u5 * 3600)) * interval '1 second') at time zone st.tz) as ts0,
         -- 7654321 is coprime with 10: contact index -> number is a bijection, so numbers never collide
         st.phone_prefix || lpad(((k.contact * 7654321 + st.phone_salt) % st.phone_mod)::text, st.phone_digits, '0') as phone_number,
         st.first_names[1 + (k.name_hash & 65535) % cardinality(st.first_names)] as first_name,
         st.last_names[1 + ((k.name_hash >> 16) & 65535) % cardinality(st.last_names)] as last_name,
         st.companies[1 + ((k.name_hash >> 32) & 65535) % cardinality(st.companies)] as company,
         ((k.name_hash >> 48) & 15) < 11 as known
    from r
    join ${SEED_TENANTS} st on st.t = width_bucket(r.u1, $4::float8[])
    join ${SEED_AGENTS} sa on sa.agent_t = st.t and sa.agent_a = width_bucket(r.u2, st.agent_lb)
   cross join lateral (select width_bucket(r.u3, st.day_lb) as dslot) d0
   cross join lateral (select d0.dslot, st.today - ($5::int - d0.dslot) as day) d
   -- contact: low indexes are drawn more often, so contacts repeat
   cross join lateral (select floor(st.pool * power(r.u11, 1.7))::bigint as contact) k0
   cross join lateral (select k0.contact, hashint8extended(k0.contact, st.name_salt) as name_hash) k
), q as materialized (
  -- start time (today's calls squeezed into the part of the day that has passed) and outcome
  select p.*, t.started_at,
         case
           when t.started_at > p.end_ts - interval '30 minutes' then 'in_progress'
           when p.u6 < 0.075 then 'failed'
           when p.u6 < 0.11 then 'canceled'
           when p.u6 < 0.11 + o.unanswered * 0.45 then 'no_answer'
           when p.u6 < 0.11 + o.unanswered * 0.70 then 'busy'
           when p.u6 < 0.11 + o.unanswered * 0.92 then 'voicemail'
           when p.u6 < 0.11 + o.unanswered then 'silent'
           else 'successful'
         end as kind
    from p
   cross join lateral (select case when p.ts0 > p.end_ts
                                   then p.day_start + (p.ts0 - p.day_start) * p.frac_today
                                   else p.ts0 end as started_at) t
   -- success rate: 50% +- the agent's skill, improving a little over the window
   cross join lateral (select 0.89 - (0.50 + p.skill + 0.04 * p.dslot::float8 / $5::int) as unanswered) o
)
select q.i, uuidv7(), q.tz, q.end_ts, q.user_id, q.agent_id, q.agent_name, q.provider, q.business, q.product, q.kind,
         q.started_at, x.duration_seconds, q.first_name, q.last_name, q.company,
         case when q.known then q.first_name || ' ' || q.last_name end as caller_name, q.phone_number,
         case when q.provider = 'twilio' then $8 else $7 end || lpad(to_hex(q.i), 12, '0') as provider_call_id,
         case when q.u10 < q.outbound_share then 'outbound' else 'inbound' end as direction,
         case when q.u10 < q.outbound_share
              then case when q.u12 < 0.95 then 'phone' when q.u12 < 0.97 then 'internet' else 'unknown' end
              else case when q.u12 < 0.70 then 'phone' when q.u12 < 0.95 then 'internet' else 'unknown' end
         end as call_source,
         case q.kind when 'successful' then 'completed' when 'voicemail' then 'completed' when 'silent' then 'completed'
                     else q.kind end as status,
         q.kind = 'voicemail' as answered_by_voicemail,
         ring.ringing_at, ans.answered_at,
         case q.kind
           when 'successful' then ans.answered_at + x.duration_seconds * interval '1 second'
           when 'voicemail' then ans.answered_at + x.duration_seconds * interval '1 second'
           when 'silent' then ans.answered_at + interval '2 seconds'
           when 'no_answer' then ring.ringing_at + interval '30 seconds'
           when 'busy' then q.started_at + interval '6 seconds'
           when 'in_progress' then null
           else q.started_at + interval '2 seconds'
         end as ended_at,
         q.kind = 'successful' and q.u16 < $6::float8 as analyzed,
         case q.kind when 'successful' then case when q.u15 < 0.55 then 'user' else 'agent' end
                     when 'voicemail' then 'agent' when 'silent' then 'agent' end as hangup_by,
         case q.kind when 'successful' then case when q.u15 < 0.55 then 'Call recipient hung up' else 'Agent ended the call' end
                     when 'voicemail' then 'Voicemail detected' when 'silent' then 'No speech detected'
                     when 'busy' then 'User busy' when 'no_answer' then 'No answer'
                     when 'failed' then 'Network error' when 'canceled' then 'Canceled before connect' end as hangup_reason,
         case q.kind when 'successful' then 16 when 'voicemail' then 16 when 'silent' then 16 when 'busy' then 17
                     when 'no_answer' then 19 when 'failed' then 41 when 'canceled' then 31 end as hangup_code
    from q
   -- successful calls: lognormal around 2 min 20 s, 30 s to 15 min
   cross join lateral (select case q.kind
            when 'successful' then least(900, greatest(30, round(exp(ln(140.0::float8) + 2 * q.skill
                 + 0.75 * sqrt(-2 * ln(greatest(q.u7, 1e-12))) * cos(2 * pi() * q.u8)))))::int
            when 'voicemail' then 8 + floor(q.u9 * 35)::int
            else 0 end as duration_seconds) x
   cross join lateral (select case when q.kind = 'failed' then null
                                   else q.started_at + (1 + q.u13 * 3) * interval '1 second' end as ringing_at) ring
   cross join lateral (select case when q.kind in ('successful', 'voicemail', 'silent', 'in_progress')
                                   then least(q.end_ts, ring.ringing_at + (3 + q.u14 * 9) * interval '1 second') end as answered_at) ans
`;

/** The chunk's contacts that do not exist yet, as the link trigger would create them (see generateCalls). */
export const INSERT_CONTACTS = `
insert into app_public.contacts (user_id, phone_number, name, is_auto_created, auto_creation_source,
                                 auto_created_from_call_id, created_at, updated_at)
select distinct on (c.user_id, c.phone_number) c.user_id, c.phone_number, c.caller_name, true, 'call', c.id,
       c.started_at, c.started_at
  from ${SEED_CHUNK} c
 where not exists (select 1 from app_public.contacts k where k.user_id = c.user_id and k.phone_number = c.phone_number)
 order by c.user_id, c.phone_number, c.started_at, c.i
on conflict (user_id, phone_number) do nothing`;

export const INSERT_CALLS = `
insert into app_public.calls (id, user_id, agent_id, provider, provider_call_id, phone_number, direction, call_source,
                              caller_name, status, answered_by_voicemail, started_at, ringing_at, answered_at,
                              disconnected_at, ended_at, duration_seconds, cost_cents, recording_url,
                              hangup_by, hangup_reason, hangup_code, created_at, updated_at)
select g.id, g.user_id, g.agent_id, g.provider, g.provider_call_id, g.phone_number, g.direction, g.call_source,
       g.caller_name, g.status, g.answered_by_voicemail,
       g.started_at, g.ringing_at, g.answered_at, g.ended_at, g.ended_at, g.duration_seconds,
       case when g.status = 'completed'
            then round((0.5 + g.duration_seconds * case g.provider when 'twilio' then 0.085 else 0.12 end)::numeric, 4)
            when g.kind <> 'in_progress' then 0 end,
       case when g.kind = 'successful'
            then 'https://recordings.switchboard.dev/' || g.provider || '/' || g.provider_call_id || '.mp3' end,
       g.hangup_by, g.hangup_reason, g.hangup_code, g.started_at, coalesce(g.ended_at, g.started_at)
  from ${SEED_CHUNK} g
 -- tenant by tenant, in time order: index inserts stay local
 order by g.user_id, g.started_at`;

const ANALYSES = `
with a as materialized (
  select g.*, g.id as call_id, s.*,
         least(g.end_ts, g.ended_at + (25 + ${ua(36)} * 150) * interval '1 second') as analyzed_at,
         case when ${ua(33)} < 0.6 or g.caller_name is not null then g.first_name || ' ' || g.last_name end as extracted_name,
         case when ${ua(34)} < 0.3
              then lower(regexp_replace(g.first_name || '.' || g.last_name, '[^A-Za-z.]', '', 'g')) || '@'
                   || lower(regexp_replace(g.company, '[^A-Za-z]', '', 'g')) || '.example' end as extracted_email,
         case when ${ua(35)} < 0.65 then g.company end as company_name
    from ${SEED_CHUNK} g
   cross join lateral (select least(1.0, greatest(0.0, ln(g.duration_seconds / 30.0::float8) / ln(30.0::float8))) as quality) qq
   cross join lateral (select
            least(100, greatest(0, round(100 * (0.25 + 0.60 * qq.quality + 0.30 * (${ua(20)} - 0.5)))))::smallint as intent_score,
            least(100, greatest(0, round(100 * (0.15 + 0.45 * qq.quality + 0.40 * (${ua(21)} - 0.5)))))::smallint as urgency_score,
            least(100, greatest(0, round(100 * (0.30 + 0.40 * qq.quality + 0.40 * (${ua(22)} - 0.5)))))::smallint as budget_score,
            least(100, greatest(0, round(100 * (0.35 + 0.40 * qq.quality + 0.30 * (${ua(23)} - 0.5)))))::smallint as fit_score,
            least(100, greatest(0, round(100 * (0.20 + 0.75 * qq.quality + 0.20 * (${ua(24)} - 0.5)))))::smallint as engagement_score) sc
   -- total score, temperature and levels: the lead rules (app_hidden.lead_grade), nowhere else
   cross join lateral app_hidden.lead_grade(sc.intent_score, sc.urgency_score, sc.budget_score, sc.fit_score,
                                            sc.engagement_score) gr
   cross join lateral (select sc.*, gr.*,
            ${ua(25)} < 0.06 + 0.35 * sc.intent_score / 100.0::float8 as cta_pricing_clicked,
            ${ua(26)} < 0.02 + 0.25 * power(sc.intent_score / 100.0::float8, 2) as cta_demo_clicked,
            ${ua(27)} < 0.08 + 0.15 * sc.urgency_score / 100.0::float8 as cta_followup_clicked,
            ${ua(28)} < 0.05 as cta_sample_clicked,
            ${ua(29)} < 0.02 + 0.05 * (1 - sc.engagement_score / 100.0::float8) as cta_escalated_to_human) s
   where g.kind = 'successful'
), la as (
  insert into app_public.lead_analytics (
    user_id, analysis_type, call_id, phone_number, calls_analyzed,
    intent_level, intent_score, urgency_level, urgency_score, budget_constraint, budget_score,
    fit_alignment, fit_score, engagement_health, engagement_score, total_score, lead_status_tag,
    reasoning, cta_interactions, cta_pricing_clicked, cta_demo_clicked, cta_followup_clicked, cta_sample_clicked,
    cta_escalated_to_human, extracted_name, extracted_email, company_name, smart_notification, is_read,
    demo_book_datetime, analyzer, model, prompt_version, analyzed_at, created_at, updated_at)
  select a.user_id, 'individual', a.call_id, a.phone_number, 1,
         a.intent_level, a.intent_score, a.urgency_level, a.urgency_score, a.budget_constraint, a.budget_score,
         a.fit_alignment, a.fit_score, a.engagement_health, a.engagement_score, a.total_score, a.lead_status_tag,
         jsonb_build_object(
           'intent', case a.intent_level when 'high' then 'Asked concrete questions about price and timing'
                                          when 'medium' then 'Interested but still comparing options'
                                          else 'No clear need expressed' end,
           'urgency', case a.urgency_level when 'high' then 'Wants to move this week'
                                            when 'medium' then 'Deciding within the next month'
                                            else 'No timeline mentioned' end,
           'summary', format('%s lead: %s intent, %s urgency, %s fit', initcap(a.lead_status_tag), a.intent_level,
                             a.urgency_level, a.fit_alignment)),
         jsonb_build_object('pricing', a.cta_pricing_clicked, 'demo', a.cta_demo_clicked,
                            'followup', a.cta_followup_clicked, 'sample', a.cta_sample_clicked,
                            'human_escalation', a.cta_escalated_to_human),
         a.cta_pricing_clicked, a.cta_demo_clicked, a.cta_followup_clicked, a.cta_sample_clicked,
         a.cta_escalated_to_human, a.extracted_name, a.extracted_email, a.company_name, nt.note,
         nt.note is null or (a.analyzed_at < a.end_ts - interval '2 days' and ${sqlUniform('a.i', '$1', 32)} < 0.9),
         dm.demo_at, 'builtin', 'switchboard-builtin-v1', '1', a.analyzed_at, a.analyzed_at, a.analyzed_at
    from a
   cross join lateral (select case when a.cta_demo_clicked
            then ((date_trunc('day', a.started_at at time zone a.tz)
                   + (1 + floor(${sqlUniform('a.i', '$1', 30)} * 5)) * interval '1 day'
                   + (10 + floor(${sqlUniform('a.i', '$1', 31)} * 7)) * interval '1 hour') at time zone a.tz) end as demo_at) dm
   cross join lateral (select case
            when a.cta_escalated_to_human then format('%s asked to speak to a person — call back within the hour', a.first_name)
            when a.cta_pricing_clicked and a.total_score >= 55 then format('%s asked for pricing — call back today', a.first_name)
            when a.cta_demo_clicked then format('%s wants a demo — confirm the slot on %s', a.first_name,
                                                to_char(dm.demo_at at time zone a.tz, 'Dy DD Mon HH24:MI'))
            when a.lead_status_tag = 'hot' then format('Hot lead: %s%s — reach out today', a.first_name,
                                                       coalesce(' from ' || a.company_name, ''))
            when a.cta_followup_clicked and a.urgency_score >= 50 then format('%s asked for a follow-up call tomorrow', a.first_name)
          end as note) nt
   where a.analyzed
  returning 1
)`;

const TRANSCRIPTS = `, tr as (
  insert into app_public.transcripts (user_id, call_id, content, speaker_segments, analysis_status, analysis_error,
                                      analyzed_at, created_at, updated_at)
  select a.user_id, a.call_id, t.content, t.segments,
         case when a.analyzed then 'completed' when a.duration_seconds < 45 then 'skipped' else 'failed' end,
         case when not a.analyzed and a.duration_seconds >= 45 then 'Analyzer timed out after 30 s' end,
         case when a.analyzed then a.analyzed_at end, a.ended_at, case when a.analyzed then a.analyzed_at else a.ended_at end
    from a
   cross join lateral (
     select string_agg(initcap(x.speaker) || ': ' || x.txt, E'\\n' order by x.n) as content,
            jsonb_agg(jsonb_build_object(
              'speaker', x.speaker, 'text', x.txt,
              'start', round((a.duration_seconds * x.before / x.total)::numeric, 1),
              'end', round((a.duration_seconds * (x.before + length(x.txt)) / x.total)::numeric, 1)) order by x.n) as segments
       from (select e.n, e.turn ->> 0 as speaker, y.txt,
                    (sum(length(y.txt)) over (order by e.n) - length(y.txt))::float8 as before,
                    (sum(length(y.txt)) over ())::float8 as total
               from jsonb_array_elements($2::jsonb -> (${SCRIPT})) with ordinality e(turn, n)
              cross join lateral (select replace(replace(replace(replace(replace(e.turn ->> 1,
                        '{agent}', a.agent_name), '{name}', a.first_name), '{business}', a.business),
                        '{product}', a.product), '{company}', a.company) as txt) y) x
   ) t
  returning 1
)`;

/** Individual analyses (and transcripts) of the chunk's successful calls; returns one row {analyses, transcripts}. */
export function analysesSql(withTranscripts: boolean): string {
  return `${ANALYSES}${withTranscripts ? TRANSCRIPTS : ''}
select (select count(*) from la)::int as analyses,
       ${withTranscripts ? '(select count(*) from tr)::int' : '0'} as transcripts`;
}
