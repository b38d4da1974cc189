--! Previous: sha1:7cf400bc85bd2fd3353d41df3aa03ae11da6ca75
--! Hash: sha1:7b20be38e9901f76bfe9c4a3c22dbbde22f2fa21
--! Message: Score history and re-scoring runs: analysis_versions filled by a trigger on lead_analytics (backfilled), rescoring_runs with estimate, start, cancel, apply in one transaction, contact score history, version comparison

-- Score history and versioned re-scoring (issue 17, item 5).
--
-- app_public.analysis_versions keeps every analysis ever recorded (individual per call, complete per
-- number): a trigger on lead_analytics copies the row (as jsonb, whatever columns it has) whenever an
-- analysis is recorded or replaced; is_latest marks the one lead_analytics holds. A re-scoring run
-- analyses a tenant's calls over a date range again with the current prompts, stores the results as
-- NOT-latest versions with its run id, and when every call is done one transaction writes them into
-- lead_analytics (the rollup trigger moves the KPIs exactly) and flips is_latest.

-- Settings (app_private.system_config) ------------------------------------------------------------

create or replace function app_hidden.config_numeric(p_key text, p_default numeric)
  returns numeric
  language sql stable parallel safe security definer
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce((select (c.value #>> '{}')::numeric from app_private.system_config c where c.key = p_key), p_default)
$$;
comment on function app_hidden.config_numeric(text, numeric) is 'A numeric platform setting from app_private.system_config, or the default.';
revoke all on function app_hidden.config_numeric(text, numeric) from public;
grant execute on function app_hidden.config_numeric(text, numeric) to app_user;

insert into app_private.system_config (key, value, description) values
  ('rescoring.input_usd_per_million_tokens', '0.15', 'Re-scoring estimate: price of one million input (prompt + transcript) tokens in US dollars (gpt-4o-mini list price).'),
  ('rescoring.output_usd_per_million_tokens', '0.60', 'Re-scoring estimate: price of one million output tokens in US dollars (gpt-4o-mini list price).'),
  ('rescoring.chars_per_token', '4', 'Re-scoring estimate: characters of text per token.'),
  ('rescoring.prompt_tokens_per_call', '900', 'Re-scoring estimate: tokens of instructions and JSON schema sent with every call (the default prompt and schema are about 900).'),
  ('rescoring.output_tokens_per_call', '450', 'Re-scoring estimate: tokens of one analysis answer.')
on conflict (key) do nothing;

-- Runs --------------------------------------------------------------------------------------------

create table app_public.rescoring_runs (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  from_date date not null,
  to_date date not null,
  status text default 'queued' not null,
  calls_total integer default 0 not null,
  calls_done integer default 0 not null,
  calls_applied integer,
  estimated_input_tokens bigint not null,
  estimated_output_tokens bigint not null,
  estimated_cost_cents numeric(14, 2) not null,
  prompt_version text,
  prompt_hash text,
  analyzer text,
  model text,
  error text,
  started_by uuid,
  created_at timestamptz default now() not null,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz default now() not null,
  constraint rescoring_runs_pkey primary key (id),
  constraint rescoring_runs_id_user_id_key unique (id, user_id),
  constraint rescoring_runs_user_id_fkey foreign key (user_id) references app_public.users (id) on delete cascade,
  constraint rescoring_runs_status_check check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  constraint rescoring_runs_date_order check (from_date <= to_date),
  constraint rescoring_runs_progress check (calls_done between 0 and calls_total)
);
create unique index rescoring_runs_one_active on app_public.rescoring_runs (user_id) where status in ('queued', 'running');
create index rescoring_runs_user_created_idx on app_public.rescoring_runs (user_id, created_at desc);
comment on table app_public.rescoring_runs is 'Re-scoring runs: a tenant''s calls over a tenant-local date range analysed again with the current prompts. Results are kept as not-latest analysis versions until every call is done; then one transaction makes them the current analyses (the KPIs switch at once). At most one queued or running run per tenant.';
comment on column app_public.rescoring_runs.status is 'queued, running (calls_done of calls_total analysed), completed (applied), failed or cancelled (nothing applied).';
comment on column app_public.rescoring_runs.calls_total is 'Calls in the range with a transcript and a current analysis when the run started.';
comment on column app_public.rescoring_runs.calls_done is 'Calls analysed so far (their new version stored, not yet current).';
comment on column app_public.rescoring_runs.calls_applied is 'Calls whose new analysis became current when the run completed (calls whose transcript changed meanwhile keep their newer analysis).';
comment on column app_public.rescoring_runs.estimated_cost_cents is 'Cost estimated when the run was started, in US cents (see estimateRescoring).';
comment on column app_public.rescoring_runs.prompt_version is 'The prompt version the run analyses with (set when the worker starts it).';
comment on column app_public.rescoring_runs.prompt_hash is 'MD5 of the individual prompt text used (the tenant''s own prompt; null for the platform default, identified by prompt_version).';
comment on column app_public.rescoring_runs.started_by is 'The login (member) that started the run; null for API keys.';
comment on constraint rescoring_runs_date_order on app_public.rescoring_runs is 'The start date must not be after the end date.';
grant select on table app_public.rescoring_runs to app_user;
alter table app_public.rescoring_runs enable row level security;
create policy select_own on app_public.rescoring_runs for select to app_user using (user_id = app_public.current_user_id());

create trigger _100_set_updated_at before update on app_public.rescoring_runs
  for each row execute function app_private.tg__set_updated_at();

-- The calls a run covers, fixed when it starts.
create table app_private.rescoring_run_calls (
  run_id uuid not null,
  call_id uuid not null,
  constraint rescoring_run_calls_pkey primary key (run_id, call_id),
  constraint rescoring_run_calls_run_id_fkey foreign key (run_id) references app_public.rescoring_runs (id) on delete cascade,
  constraint rescoring_run_calls_call_id_fkey foreign key (call_id) references app_public.calls (id) on delete cascade
);
create index rescoring_run_calls_call_id_idx on app_private.rescoring_run_calls (call_id);
comment on table app_private.rescoring_run_calls is 'The calls of a re-scoring run (fixed at its start); a call is done when the run has a version of it.';

-- History -----------------------------------------------------------------------------------------

create table app_public.analysis_versions (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  analysis_type text not null,
  call_id uuid,
  phone_number text,
  analysis jsonb not null,
  total_score smallint,
  lead_status_tag text,
  analyzer text,
  model text,
  prompt_version text,
  prompt_hash text,
  content_md5 text,
  run_id uuid,
  is_latest boolean not null,
  analyzed_at timestamptz not null,
  created_at timestamptz default now() not null,
  constraint analysis_versions_pkey primary key (id),
  constraint analysis_versions_user_id_fkey foreign key (user_id) references app_public.users (id) on delete cascade,
  constraint analysis_versions_call_id_user_id_fkey foreign key (call_id, user_id) references app_public.calls (id, user_id) on delete cascade,
  constraint analysis_versions_run_id_user_id_fkey foreign key (run_id, user_id) references app_public.rescoring_runs (id, user_id) on delete cascade,
  constraint analysis_versions_analysis_type_check check (analysis_type in ('individual', 'complete')),
  constraint analysis_versions_individual_has_call check ((analysis_type = 'individual') = (call_id is not null)),
  constraint analysis_versions_run_individual check (run_id is null or analysis_type = 'individual')
);
create unique index analysis_versions_latest_call_key on app_public.analysis_versions (call_id) where is_latest and analysis_type = 'individual';
create unique index analysis_versions_latest_phone_key on app_public.analysis_versions (user_id, phone_number) where is_latest and analysis_type = 'complete';
create unique index analysis_versions_run_call_key on app_public.analysis_versions (run_id, call_id) where run_id is not null;
create index analysis_versions_call_idx on app_public.analysis_versions (call_id, id) where call_id is not null;
create index analysis_versions_phone_idx on app_public.analysis_versions (user_id, phone_number, id);
create index analysis_versions_run_user_idx on app_public.analysis_versions (run_id, user_id) where run_id is not null;
comment on table app_public.analysis_versions is 'Every analysis recorded, individual (per call) and complete (per number): the analysis as it was written to lead_analytics, with its prompt version and model. is_latest marks the current one; a re-scoring run''s results are stored here first (not latest, with run_id) and become latest when the run completes.';
comment on column app_public.analysis_versions.analysis is 'The analysis columns of lead_analytics as JSON (everything but the row''s identity and read flag).';
comment on column app_public.analysis_versions.prompt_hash is 'MD5 of the tenant''s prompt text when the analysis used the tenant''s own prompt of its current version; null for the platform default (prompt_version says which) or when unknown.';
comment on column app_public.analysis_versions.content_md5 is 'MD5 of the transcript text a re-scoring run analysed (the run skips a call whose transcript changed since).';
comment on column app_public.analysis_versions.run_id is 'The re-scoring run that produced this version; null for analyses made as calls arrived.';
comment on column app_public.analysis_versions.is_latest is 'True for the version lead_analytics holds now.';
comment on constraint analysis_versions_run_individual on app_public.analysis_versions is 'Re-scoring runs analyse calls only (individual analyses).';
grant select on table app_public.analysis_versions to app_user;
alter table app_public.analysis_versions enable row level security;
create policy select_own on app_public.analysis_versions for select to app_user using (user_id = app_public.current_user_id());

-- The analysis part of a lead_analytics row (what a version keeps).
create or replace function app_hidden.analysis_document(a app_public.lead_analytics)
  returns jsonb
  language sql immutable parallel safe
as $$
  select to_jsonb(a) - '{id,user_id,analysis_type,call_id,latest_call_id,phone_number,calls_analyzed,is_read,created_at,updated_at}'::text[]
$$;
comment on function app_hidden.analysis_document(app_public.lead_analytics) is 'The analysis columns of a lead_analytics row as JSON: every column but the row''s identity and bookkeeping (id, user_id, analysis_type, call_id, latest_call_id, phone_number, calls_analyzed, is_read, created_at, updated_at), so new analysis columns are kept without changing this.';

create or replace function app_hidden.prompt_hash(p_user_id uuid, p_kind text, p_prompt_version text)
  returns text
  language sql stable
as $$
  select md5(case p_kind when 'complete' then u.analysis_prompt_complete else u.analysis_prompt_individual end)
    from app_public.users u
   where u.id = p_user_id and p_prompt_version = 'tenant-v' || u.analysis_prompt_version
$$;
comment on function app_hidden.prompt_hash(uuid, text, text) is 'MD5 of the tenant''s own prompt text (individual or complete) when p_prompt_version is its current version; null otherwise (platform default, or an older version whose text is gone).';

create or replace function app_private.tg_lead_analytics__history()
  returns trigger
  language plpgsql
  security definer
as $$
declare
  v_doc jsonb;
begin
  if tg_op = 'DELETE' then
    -- An erased analysis takes its history with it (a call's also goes with the call); a pending
    -- re-scoring run's version of the call stays with its run (applied only if the call has an analysis again).
    delete from app_public.analysis_versions h
     where h.user_id = old.user_id and h.analysis_type = old.analysis_type
       and (case when old.analysis_type = 'individual' then h.call_id = old.call_id else h.phone_number = old.phone_number end)
       and (h.run_id is null or h.is_latest);
    return null;
  end if;
  -- A completing re-scoring run writes its own versions' values and flips is_latest itself.
  if pg_catalog.current_setting('switchboard.rescoring_apply', true) is not distinct from new.user_id::text then
    return null;
  end if;
  v_doc := app_hidden.analysis_document(new);
  if tg_op = 'UPDATE' and v_doc = app_hidden.analysis_document(old) then
    return null;  -- only the read flag (or nothing) changed
  end if;
  update app_public.analysis_versions h set is_latest = false
   where h.is_latest and h.user_id = new.user_id and h.analysis_type = new.analysis_type
     and (case when new.analysis_type = 'individual' then h.call_id = new.call_id else h.phone_number = new.phone_number end);
  insert into app_public.analysis_versions (user_id, analysis_type, call_id, phone_number, analysis, total_score,
                                            lead_status_tag, analyzer, model, prompt_version, prompt_hash, is_latest, analyzed_at)
  values (new.user_id, new.analysis_type, new.call_id, new.phone_number, v_doc, new.total_score, new.lead_status_tag,
          new.analyzer, new.model, new.prompt_version,
          app_hidden.prompt_hash(new.user_id, new.analysis_type, new.prompt_version), true, new.analyzed_at);
  return null;
end
$$;
comment on function app_private.tg_lead_analytics__history() is 'AFTER INSERT/UPDATE/DELETE: keeps every analysis in analysis_versions (a new latest version when the analysis columns change; none when only is_read does); a deleted analysis takes its history along. Skipped while a re-scoring run applies its own versions.';

create trigger _510_history after insert or update or delete on app_public.lead_analytics
  for each row execute function app_private.tg_lead_analytics__history();

-- Backfill: every analysis there is becomes its first (latest) version.
insert into app_public.analysis_versions (user_id, analysis_type, call_id, phone_number, analysis, total_score,
                                          lead_status_tag, analyzer, model, prompt_version, prompt_hash, is_latest, analyzed_at, created_at)
select a.user_id, a.analysis_type, a.call_id, a.phone_number, app_hidden.analysis_document(a), a.total_score,
       a.lead_status_tag, a.analyzer, a.model, a.prompt_version,
       app_hidden.prompt_hash(a.user_id, a.analysis_type, a.prompt_version), true, a.analyzed_at, a.analyzed_at
  from app_public.lead_analytics a;

-- Estimate and start ------------------------------------------------------------------------------

create type app_public.rescoring_estimate as (
  from_date date,
  to_date date,
  calls integer,
  transcript_characters bigint,
  estimated_input_tokens bigint,
  estimated_output_tokens bigint,
  input_usd_per_million_tokens numeric,
  output_usd_per_million_tokens numeric,
  estimated_cost_cents numeric,
  prompt_version integer,
  custom_prompt boolean,
  active_run_id uuid
);
comment on type app_public.rescoring_estimate is 'What a re-scoring run over a range would analyse and cost: the calls (with a transcript and a current analysis), their transcript length, tokens estimated as characters / rescoring.chars_per_token plus rescoring.prompt_tokens_per_call per call in, rescoring.output_tokens_per_call per call out, priced per million tokens (app_private.system_config). The built-in analyser costs nothing.';
comment on column app_public.rescoring_estimate.prompt_version is 'The tenant''s analysis_prompt_version (what the run analyses with when custom_prompt; else the platform default).';
comment on column app_public.rescoring_estimate.active_run_id is 'The tenant''s queued or running run, if any (a new one cannot start until it ends).';

-- The calls a run over a tenant-local range covers.
create or replace function app_hidden.rescoring_scope(p_user_id uuid, p_tz text, p_from date, p_to date)
  returns table (call_id uuid, transcript_characters integer)
  language sql stable
as $$
  select c.id, length(t.content)
    from app_public.calls c
    join app_public.transcripts t on t.call_id = c.id
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
   where c.user_id = p_user_id
     and c.started_at >= (p_from::timestamp at time zone p_tz)
     and c.started_at < ((p_to + 1)::timestamp at time zone p_tz)
     and btrim(t.content) <> ''
$$;
comment on function app_hidden.rescoring_scope(uuid, text, date, date) is 'The calls a re-scoring run over a tenant-local day range covers: started in the range, with a non-empty transcript and a current individual analysis.';
grant execute on function app_hidden.rescoring_scope(uuid, text, date, date) to app_user;

create or replace function app_public.estimate_rescoring(from_date date default null, to_date date default null)
  returns app_public.rescoring_estimate
  language sql stable
as $$
  select r.from_date, r.to_date, s.calls, s.chars, s.input_tokens, s.output_tokens, p.input_price, p.output_price,
         round((s.input_tokens * p.input_price + s.output_tokens * p.output_price) / 1e6 * 100, 2),
         u.analysis_prompt_version,
         nullif(btrim(coalesce(u.analysis_prompt_individual, '')), '') is not null
           or nullif(btrim(coalesce(u.analysis_prompt_complete, '')), '') is not null,
         (select x.id from app_public.rescoring_runs x where x.user_id = r.user_id and x.status in ('queued', 'running'))
    from app_hidden.kpi_range(estimate_rescoring.from_date, estimate_rescoring.to_date) r
    join app_public.users u on u.id = r.user_id
    cross join lateral (
      select app_hidden.config_numeric('rescoring.input_usd_per_million_tokens', 0.15) as input_price,
             app_hidden.config_numeric('rescoring.output_usd_per_million_tokens', 0.60) as output_price,
             greatest(app_hidden.config_numeric('rescoring.chars_per_token', 4), 1) as chars_per_token,
             app_hidden.config_numeric('rescoring.prompt_tokens_per_call', 900) as prompt_tokens,
             app_hidden.config_numeric('rescoring.output_tokens_per_call', 450) as output_tokens) p
    cross join lateral (
      select count(*)::integer as calls, coalesce(sum(x.transcript_characters), 0)::bigint as chars,
             (ceil(coalesce(sum(x.transcript_characters), 0) / p.chars_per_token) + count(*) * p.prompt_tokens)::bigint as input_tokens,
             (count(*) * p.output_tokens)::bigint as output_tokens
        from app_hidden.rescoring_scope(r.user_id, r.timezone, r.from_date, r.to_date) x) s
$$;
comment on function app_public.estimate_rescoring(date, date) is 'What re-scoring the calls of a tenant-local date range (default the last 30 days) would analyse and cost, before starting it (startRescoring).';
grant execute on function app_public.estimate_rescoring(date, date) to app_user;

create or replace function app_public.start_rescoring(from_date date, to_date date)
  returns app_public.rescoring_runs
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  e app_public.rescoring_estimate;
  v app_public.rescoring_runs;
  v_user uuid := app_public.current_user_id();
begin
  if v_user is null then
    raise exception 'sign in to re-score calls' using errcode = '42501';
  end if;
  -- One run at a time per business (the lock serialises two clicks).
  perform 1 from app_public.users u where u.id = v_user for no key update;
  e := app_public.estimate_rescoring(start_rescoring.from_date, start_rescoring.to_date);
  if e.active_run_id is not null then
    raise exception 'A re-scoring run is already in progress; wait for it to finish or cancel it.' using errcode = 'SB190';
  end if;
  if e.calls = 0 then
    raise exception 'No analysed calls with a transcript in this date range: nothing to re-score.' using errcode = 'SB191';
  end if;
  insert into app_public.rescoring_runs (user_id, from_date, to_date, calls_total, estimated_input_tokens,
                                         estimated_output_tokens, estimated_cost_cents, started_by)
  values (v_user, e.from_date, e.to_date, e.calls, e.estimated_input_tokens, e.estimated_output_tokens,
          e.estimated_cost_cents, app_public.current_member_id())
  returning * into v;
  insert into app_private.rescoring_run_calls (run_id, call_id)
  select v.id, s.call_id
    from app_public.users u, app_hidden.rescoring_scope(v_user, u.timezone, e.from_date, e.to_date) s
   where u.id = v_user;
  perform graphile_worker.add_job('rescoring_runs__process', json_build_object('runId', v.id),
                                  job_key := 'rescoring_runs__process:' || v.id::text, max_attempts := 5);
  return v;
end
$$;
comment on function app_public.start_rescoring(date, date) is 'Starts re-scoring the calls of a tenant-local date range with the current prompts, as a background job (watch calls_done in rescoringRuns). The KPIs keep the current analyses until every call is done, then switch in one transaction. One run at a time (SB190); SB191 when the range has nothing to re-score.';
revoke all on function app_public.start_rescoring(date, date) from public;
grant execute on function app_public.start_rescoring(date, date) to app_user;

create or replace function app_public.cancel_rescoring(run_id uuid)
  returns app_public.rescoring_runs
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_public.rescoring_runs;
begin
  select * into v from app_public.rescoring_runs r
   where r.id = cancel_rescoring.run_id and r.user_id = app_public.current_user_id()
     for update;
  if v.id is null then
    raise exception 'No such re-scoring run.' using errcode = 'SB104';
  end if;
  if v.status not in ('queued', 'running') then
    raise exception 'This re-scoring run has already ended (%).', v.status using errcode = 'SB192';
  end if;
  update app_public.rescoring_runs r set status = 'cancelled', finished_at = now()
   where r.id = v.id returning * into v;
  return v;
end
$$;
comment on function app_public.cancel_rescoring(uuid) is 'Cancels a queued or running re-scoring run: nothing of it is applied; the versions it made stay in the history (not current). SB192 when it has already ended.';
revoke all on function app_public.cancel_rescoring(uuid) from public;
grant execute on function app_public.cancel_rescoring(uuid) to app_user;

-- The worker's side (owner) ------------------------------------------------------------------------

create or replace function app_hidden.begin_rescoring_run(p_run_id uuid, p_prompt_version text, p_prompt_hash text, p_analyzer text, p_model text)
  returns app_public.rescoring_runs
  language sql
as $$
  update app_public.rescoring_runs r
     set status = 'running', started_at = coalesce(r.started_at, now()),
         prompt_version = coalesce(r.prompt_version, p_prompt_version), prompt_hash = coalesce(r.prompt_hash, p_prompt_hash),
         analyzer = coalesce(r.analyzer, p_analyzer), model = coalesce(r.model, p_model)
   where r.id = p_run_id and r.status in ('queued', 'running')
  returning r.*
$$;
comment on function app_hidden.begin_rescoring_run(uuid, text, text, text, text) is 'The worker takes a queued (or resumes a running) run: status running, and the prompt version, analyser and model it analyses with (kept from the first attempt). No row when the run has ended (cancelled).';

create or replace function app_hidden.record_rescoring_versions(p_run_id uuid, p_versions jsonb)
  returns app_public.rescoring_runs
  language sql
as $$
  -- p_versions: [{callId, contentMd5, analysis}], analysed by the run; stored as not-latest versions.
  with run as (
    select r.* from app_public.rescoring_runs r where r.id = p_run_id and r.status = 'running' for no key update
  ), ins as (
    insert into app_public.analysis_versions (user_id, analysis_type, call_id, analysis, total_score, lead_status_tag,
                                              analyzer, model, prompt_version, prompt_hash, content_md5, run_id, is_latest, analyzed_at)
    select run.user_id, 'individual', rc.call_id, d.doc, (d.doc ->> 'total_score')::smallint, d.doc ->> 'lead_status_tag',
           run.analyzer, run.model, run.prompt_version, run.prompt_hash, x.value ->> 'contentMd5', run.id, false, now()
      from run
      cross join jsonb_array_elements(p_versions) x
      join app_private.rescoring_run_calls rc on rc.run_id = run.id and rc.call_id = (x.value ->> 'callId')::uuid
      cross join lateral (
        select app_hidden.analysis_document(app_hidden.analysis_values(x.value -> 'analysis'))
                 || jsonb_build_object('analyzer', run.analyzer, 'model', run.model, 'prompt_version', run.prompt_version,
                                       'analyzed_at', now()) as doc) d
    on conflict (run_id, call_id) where run_id is not null do nothing
    returning 1
  )
  update app_public.rescoring_runs r
     set calls_done = least(r.calls_total, r.calls_done + (select count(*) from ins))
    from run
   where r.id = run.id
  returning r.*
$$;
comment on function app_hidden.record_rescoring_versions(uuid, jsonb) is 'Stores analyses a running re-scoring run made ([{callId, contentMd5, analysis}], values through app_hidden.analysis_values) as not-latest versions and advances calls_done. Nothing when the run is no longer running (cancelled); a call already done is kept as it was.';

create or replace function app_hidden.rescoring_pending_calls(p_run_id uuid, p_limit integer)
  returns table (call_id uuid, started_at timestamptz, direction text, duration_seconds integer, content text)
  language sql stable
as $$
  select c.id, c.started_at, c.direction, c.duration_seconds, t.content
    from app_private.rescoring_run_calls rc
    join app_public.calls c on c.id = rc.call_id
    join app_public.transcripts t on t.call_id = c.id
   where rc.run_id = p_run_id
     and not exists (select 1 from app_public.analysis_versions h where h.run_id = p_run_id and h.call_id = rc.call_id)
   order by rc.call_id
   limit p_limit
$$;
comment on function app_hidden.rescoring_pending_calls(uuid, integer) is 'The next calls of a run still to analyse (no version of the run yet), with their transcript.';

create or replace function app_hidden.apply_rescoring_run(p_run_id uuid)
  returns app_public.rescoring_runs
  language plpgsql
as $$
declare
  v     app_public.rescoring_runs;
  v_set text;
  n     integer;
begin
  select * into v from app_public.rescoring_runs r where r.id = p_run_id for update;
  if v.id is null or v.status <> 'running' then
    return v;  -- cancelled (or already applied): nothing switches
  end if;
  if exists (select 1 from app_private.rescoring_run_calls rc
              where rc.run_id = v.id
                and not exists (select 1 from app_public.analysis_versions h where h.run_id = v.id and h.call_id = rc.call_id)) then
    raise exception 're-scoring run % still has calls to analyse', v.id using errcode = 'SB193';
  end if;
  -- KEY SHARE on the tenant, like every writer of its analyses (a time zone change waits).
  perform 1 from app_public.users u where u.id = v.user_id for key share;
  perform pg_catalog.set_config('switchboard.rescoring_apply', v.user_id::text, true);
  -- Every analysis column of lead_analytics from the version, whatever columns there are (the analysis
  -- helper adds some): one statement, so the rollup trigger moves the KPIs in this one transaction.
  select string_agg(case
                      when a.attname = 'is_read' then 'is_read = a.is_read and a.smart_notification is not distinct from r.smart_notification'
                      when a.attnotnull then format('%1$I = coalesce(r.%1$I, a.%1$I)', a.attname)
                      else format('%1$I = r.%1$I', a.attname)
                    end, ', ' order by a.attnum)
    into v_set
    from pg_catalog.pg_attribute a
   where a.attrelid = 'app_public.lead_analytics'::regclass and a.attnum > 0 and not a.attisdropped
     and a.attgenerated = ''
     and a.attname not in ('id', 'user_id', 'analysis_type', 'call_id', 'latest_call_id', 'phone_number',
                           'calls_analyzed', 'created_at', 'updated_at');
  execute format(
    $f$
    with v as (
      select h.call_id, h.analysis
        from app_public.analysis_versions h
        join app_public.transcripts t on t.call_id = h.call_id and md5(t.content) = h.content_md5
       where h.run_id = $1 and h.user_id = $2
    ), applied as (
      update app_public.lead_analytics a set %s
        from v cross join lateral jsonb_populate_record(null::app_public.lead_analytics, v.analysis) r
       where a.call_id = v.call_id and a.analysis_type = 'individual' and a.user_id = $2
      returning a.call_id
    ), old_latest as (
      update app_public.analysis_versions h set is_latest = false
        from applied
       where h.call_id = applied.call_id and h.is_latest and h.analysis_type = 'individual'
      returning h.id
    )
    select count(*) from applied
    $f$, v_set) using v.id, v.user_id into n;
  -- (after the old versions let go of is_latest: the partial unique index allows one per call)
  update app_public.analysis_versions h set is_latest = true
    from app_public.lead_analytics a
   where h.run_id = v.id and a.call_id = h.call_id and a.analysis_type = 'individual'
     and not exists (select 1 from app_public.analysis_versions o where o.call_id = h.call_id and o.is_latest)
     and exists (select 1 from app_public.transcripts t where t.call_id = h.call_id and md5(t.content) = h.content_md5);
  perform pg_catalog.set_config('switchboard.rescoring_apply', '', true);
  update app_public.rescoring_runs r set status = 'completed', calls_applied = n, finished_at = now()
   where r.id = v.id returning * into v;
  return v;
end
$$;
comment on function app_hidden.apply_rescoring_run(uuid) is 'Completes a running re-scoring run in one transaction: every version it made becomes the call''s analysis in lead_analytics (one UPDATE built from the table''s columns; the rollup trigger moves the KPIs), is_latest moves to it, the run is completed. A call whose transcript changed since it was analysed keeps its newer analysis. Nothing when the run was cancelled.';

create or replace function app_hidden.fail_rescoring_run(p_run_id uuid, p_error text)
  returns app_public.rescoring_runs
  language sql
as $$
  update app_public.rescoring_runs r set status = 'failed', error = left(p_error, 2000), finished_at = now()
   where r.id = p_run_id and r.status in ('queued', 'running')
  returning r.*
$$;
comment on function app_hidden.fail_rescoring_run(uuid, text) is 'Marks a run failed with the reason (the job gave up): nothing of it is applied.';

-- Reading -----------------------------------------------------------------------------------------

create type app_public.score_history_point as (
  analysis_type text,
  call_id uuid,
  call_started_at timestamptz,
  analyzed_at timestamptz,
  total_score smallint,
  lead_status_tag text,
  prompt_version text,
  model text,
  is_latest boolean,
  run_id uuid
);
comment on type app_public.score_history_point is 'One version of an analysis of a contact: individual (one call, at its start) or complete (the whole lead, when analysed).';

create or replace function app_public.contact_score_history(contact_id uuid)
  returns setof app_public.score_history_point
  language sql stable
as $$
  select x.analysis_type, x.call_id, x.started_at, x.analyzed_at, x.total_score, x.lead_status_tag, x.prompt_version,
         x.model, x.is_latest, x.run_id
    from (
      select h.*, c.started_at
        from app_public.contacts ct
        join app_public.calls c on c.user_id = ct.user_id and c.phone_number = ct.phone_number
        join app_public.analysis_versions h on h.call_id = c.id and h.analysis_type = 'individual'
       where ct.id = contact_score_history.contact_id
      union all
      select h.*, null::timestamptz
        from app_public.contacts ct
        join app_public.analysis_versions h
          on h.user_id = ct.user_id and h.phone_number = ct.phone_number and h.analysis_type = 'complete'
       where ct.id = contact_score_history.contact_id
    ) x
   where x.run_id is null or x.is_latest
      or exists (select 1 from app_public.rescoring_runs r where r.id = x.run_id and r.status = 'completed')
   order by coalesce(x.started_at, x.analyzed_at), x.analyzed_at, x.id
$$;
comment on function app_public.contact_score_history(uuid) is 'A contact''s lead score over time: every version of its calls'' analyses (at the call''s start) and of its complete analysis (when made), oldest first; is_latest marks the current ones. Versions of re-scoring runs that did not complete are left out.';
grant execute on function app_public.contact_score_history(uuid) to app_user;

create type app_public.analysis_prompt_version as (
  prompt_version text,
  calls integer,
  current_calls integer,
  first_analyzed_at timestamptz,
  last_analyzed_at timestamptz
);
comment on type app_public.analysis_prompt_version is 'A prompt version that analysed calls of the range: how many calls have a version from it, and for how many it is the current analysis.';

create or replace function app_public.analysis_prompt_versions(from_date date default null, to_date date default null)
  returns setof app_public.analysis_prompt_version
  language sql stable
as $$
  select h.prompt_version, count(distinct h.call_id)::integer, count(*) filter (where h.is_latest)::integer,
         min(h.analyzed_at), max(h.analyzed_at)
    from app_hidden.kpi_range(analysis_prompt_versions.from_date, analysis_prompt_versions.to_date) r
    join app_public.calls c on c.user_id = r.user_id
     and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
     and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
    join app_public.analysis_versions h on h.call_id = c.id and h.analysis_type = 'individual'
   where h.prompt_version is not null
     and (h.run_id is null or h.is_latest
          or exists (select 1 from app_public.rescoring_runs x where x.id = h.run_id and x.status in ('running', 'completed')))
   group by h.prompt_version
   order by max(h.analyzed_at) desc
$$;
comment on function app_public.analysis_prompt_versions(date, date) is 'The prompt versions that analysed calls of a tenant-local date range (default the last 30 days), newest first: what compareAnalysisVersions can compare.';
grant execute on function app_public.analysis_prompt_versions(date, date) to app_user;

create type app_public.analysis_version_comparison as (
  version_a text,
  version_b text,
  from_date date,
  to_date date,
  calls_compared integer,
  figures_a app_public.kpi_figures,
  figures_b app_public.kpi_figures,
  differences app_public.kpi_figures,
  temperature_changed integer,
  score_raised integer,
  score_lowered integer
);
comment on type app_public.analysis_version_comparison is 'Two prompt versions side by side on the SAME calls (those of the range analysed by both; each call''s newest version of each): the KPI figures of the analyses (leads, qualified leads, conversion rate, average scores, hot/warm/cold, CTA...; call figures are zero), their differences (b - a, per figure), and how many calls changed temperature or score.';

create or replace function app_public.compare_analysis_versions(version_a text, version_b text, from_date date default null, to_date date default null)
  returns app_public.analysis_version_comparison
  language sql stable
as $$
  with r as (
    select * from app_hidden.kpi_range(compare_analysis_versions.from_date, compare_analysis_versions.to_date)
  ), v as (
    -- each call's newest version of each of the two prompt versions (runs that failed or were cancelled left out)
    select distinct on (h.call_id, h.prompt_version) h.call_id, h.prompt_version, h.id, h.analysis
      from r
      join app_public.calls c on c.user_id = r.user_id
       and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
       and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
      join app_public.analysis_versions h on h.call_id = c.id and h.analysis_type = 'individual'
     where h.prompt_version in (compare_analysis_versions.version_a, compare_analysis_versions.version_b)
       and (h.run_id is null or h.is_latest
            or exists (select 1 from app_public.rescoring_runs x where x.id = h.run_id and x.status in ('running', 'completed')))
     order by h.call_id, h.prompt_version, h.id desc
  ), pairs as (
    select a.call_id,
           jsonb_populate_record(null::app_public.lead_analytics, a.analysis || jsonb_build_object('id', a.id)) as la,
           jsonb_populate_record(null::app_public.lead_analytics, b.analysis || jsonb_build_object('id', b.id)) as lb
      from v a join v b on b.call_id = a.call_id and b.prompt_version = compare_analysis_versions.version_b
     where a.prompt_version = compare_analysis_versions.version_a
  ), figures as (
    select count(*)::integer as n,
           app_hidden.kpi_figures(app_hidden.sum_measures(coalesce(array_agg(jsonb_populate_record(app_hidden.zero_measures(), to_jsonb(da))), '{}'))) as fa,
           app_hidden.kpi_figures(app_hidden.sum_measures(coalesce(array_agg(jsonb_populate_record(app_hidden.zero_measures(), to_jsonb(db))), '{}'))) as fb,
           count(*) filter (where (p.la).lead_status_tag is distinct from (p.lb).lead_status_tag)::integer as temp_changed,
           count(*) filter (where (p.lb).total_score > (p.la).total_score)::integer as raised,
           count(*) filter (where (p.lb).total_score < (p.la).total_score)::integer as lowered
      from pairs p
      join app_public.calls c on c.id = p.call_id
      cross join r
      cross join lateral app_hidden.call_contribution(c, p.la, r.timezone, 1, false) da
      cross join lateral app_hidden.call_contribution(c, p.lb, r.timezone, 1, false) db
  )
  select compare_analysis_versions.version_a, compare_analysis_versions.version_b, r.from_date, r.to_date, f.n, f.fa, f.fb,
         (select jsonb_populate_record(null::app_public.kpi_figures,
                   jsonb_object_agg(k.key, case when jsonb_typeof(k.value) = 'number' and jsonb_typeof(to_jsonb(f.fa) -> k.key) = 'number'
                                                then to_jsonb((k.value #>> '{}')::numeric - ((to_jsonb(f.fa) ->> k.key))::numeric) end))
            from jsonb_each(to_jsonb(f.fb)) k),
         f.temp_changed, f.raised, f.lowered
    from r, figures f
$$;
comment on function app_public.compare_analysis_versions(text, text, date, date) is 'Compares two prompt versions (e.g. before and after a re-scoring run) on the same calls of a tenant-local date range (default the last 30 days): KPI figures of each, computed with the rollups'' own definitions (call_contribution, kpi_figures), and their differences b - a.';
grant execute on function app_public.compare_analysis_versions(text, text, date, date) to app_user;
