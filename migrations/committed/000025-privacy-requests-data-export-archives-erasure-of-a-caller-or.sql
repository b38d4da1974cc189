--! Previous: sha1:6ef3768ddb546f6bedc6fec589ce48f06ca92b90
--! Hash: sha1:51707329b641736a91bd1471089b66e5d3c65b6f
--! Message: Privacy requests: data export archives, erasure of a caller or a whole business, retention per data type with platform limits

-- =============================================================================
-- Privacy requests: data export, erasure of one caller, erasure of the whole
-- business, and retention per data type editable by the business.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- (a) The request log, per tenant (RLS), and the platform-level record of
--     erased businesses (survives the tenant's deletion).
-- -----------------------------------------------------------------------------
create table app_public.privacy_requests (
  id             uuid primary key default uuidv7(),
  user_id        uuid not null default app_public.current_user_id() references app_public.users on delete cascade,
  kind           text not null check (kind in ('export', 'erase_contact', 'erase_business')),
  status         text not null default 'pending'
                   check (status in ('pending', 'running', 'completed', 'failed', 'expired')),
  progress       numeric(5, 4) not null default 0 check (progress between 0 and 1),
  details        jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
  subject_hash   text,
  requested_by   uuid,
  client_ip      text,
  user_agent     text,
  archive_bytes  bigint check (archive_bytes >= 0),
  archive_sha256 text,
  expires_at     timestamptz,
  created_at     timestamptz not null default now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  error          text,
  constraint privacy_requests_finished check ((status in ('completed', 'failed', 'expired')) = (finished_at is not null))
);
create index privacy_requests_user_created_idx on app_public.privacy_requests (user_id, created_at);
create index privacy_requests_expiring_idx on app_public.privacy_requests (expires_at)
  where kind = 'export' and status = 'completed';
comment on table app_public.privacy_requests is
  'A business''s privacy requests: data exports (built by a background job, downloadable until they expire) and erasures, with who asked, from where and what was removed.';
comment on column app_public.privacy_requests.kind is 'export: an archive of all the business''s data; erase_contact: one caller erased; erase_business: the whole account (recorded in the platform log, since this row goes with it).';
comment on column app_public.privacy_requests.progress is 'Share of the work done, 0 to 1 (exports move table by table).';
comment on column app_public.privacy_requests.details is 'What the request did: rows per table (exports: rows exported; erasures: rows removed or unlinked).';
comment on column app_public.privacy_requests.subject_hash is
  'erase_contact: HMAC-SHA256 of the erased phone number with a platform secret, so a repeated request can be recognised without keeping the number.';
comment on column app_public.privacy_requests.requested_by is 'The signed-in user who asked (always a password session: API keys cannot make privacy requests).';
comment on column app_public.privacy_requests.client_ip is 'The client address of the request (switchboard.client_ip), when the server passed it.';
comment on column app_public.privacy_requests.user_agent is 'The client''s User-Agent (switchboard.user_agent), when the server passed it.';
comment on column app_public.privacy_requests.archive_bytes is 'Size of the export archive (tar.gz).';
comment on column app_public.privacy_requests.archive_sha256 is 'SHA-256 of the export archive, hex.';
comment on column app_public.privacy_requests.expires_at is 'When the export archive is deleted (retention data type privacy_exports).';

alter table app_public.privacy_requests enable row level security;
create policy select_own on app_public.privacy_requests for select to app_user
  using (user_id = (select app_public.current_user_id()));
grant select on app_public.privacy_requests to app_user;

-- The archive, in the database (any instance can serve it), in chunks.
create table app_private.privacy_export_chunks (
  request_id uuid not null references app_public.privacy_requests on delete cascade,
  seq        integer not null check (seq >= 0),
  data       bytea not null,
  primary key (request_id, seq)
);
alter table app_private.privacy_export_chunks alter column data set storage external;  -- already gzip
comment on table app_private.privacy_export_chunks is 'Export archives (tar.gz) in chunks of about 1 MiB, deleted when the export expires.';

create table app_private.erased_businesses (
  id            uuid primary key default uuidv7(),
  user_id       uuid not null,
  email_hash    text not null,
  requested_by  uuid,
  client_ip     text,
  user_agent    text,
  counts        jsonb not null default '{}',
  erased_at     timestamptz not null default now()
);
create index erased_businesses_user_idx on app_private.erased_businesses (user_id);
comment on table app_private.erased_businesses is
  'Platform record of every business erased by its owner: who, when, from where, rows removed per table. No foreign key: it outlives the tenant. The email only as an HMAC.';

-- The secret behind subject hashes (never leaves the database).
insert into app_private.system_config (key, value, description) values
  ('privacy.subject_hash_key', to_jsonb(encode(gen_random_bytes(32), 'hex')),
   'Key of the HMAC that privacy requests keep instead of an erased phone number or email.'),
  ('privacy.max_export_bytes', '2147483648', 'Largest export archive the job builds (bytes).')
on conflict (key) do nothing;

create function app_hidden.privacy_subject_hash(p_value text) returns text
  language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
  select encode(hmac(convert_to(lower(p_value), 'UTF8'),
                     convert_to((select c.value #>> '{}' from app_private.system_config c where c.key = 'privacy.subject_hash_key'), 'UTF8'),
                     'sha256'), 'hex')
$$;
comment on function app_hidden.privacy_subject_hash(text) is
  'HMAC-SHA256 (platform key) of a phone number or email: recorded instead of the value itself.';

-- Who asked and from where: the request's settings (null when not passed).
create function app_hidden.privacy_request_origin(out client_ip text, out user_agent text)
  language sql stable parallel safe
as $$
  select nullif(current_setting('switchboard.client_ip', true), ''), nullif(current_setting('switchboard.user_agent', true), '')
$$;
comment on function app_hidden.privacy_request_origin() is 'The client address and User-Agent the server set for this request (switchboard.client_ip, switchboard.user_agent).';

-- -----------------------------------------------------------------------------
-- (b) Export: a request row and a job; the job writes the archive.
-- -----------------------------------------------------------------------------
create function app_public.request_data_export() returns app_public.privacy_requests
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_password_session();
  v_req  app_public.privacy_requests;
begin
  -- One export at a time per business (the lock serialises two clicks).
  perform 1 from app_public.users u where u.id = v_user for no key update;
  if exists (select 1 from app_public.privacy_requests r
              where r.user_id = v_user and r.kind = 'export' and r.status in ('pending', 'running')) then
    raise exception 'An export is already being prepared; wait for it to finish.' using errcode = 'SB402';
  end if;
  insert into app_public.privacy_requests (user_id, kind, requested_by, client_ip, user_agent)
  select v_user, 'export', v_user, o.client_ip, o.user_agent from app_hidden.privacy_request_origin() o
  returning * into v_req;
  perform graphile_worker.add_job('privacy_requests__export', json_build_object('requestId', v_req.id),
                                  job_key := 'privacy_requests__export:' || v_req.id::text, max_attempts := 3);
  return v_req;
end
$$;
comment on function app_public.request_data_export() is
  'Starts an export of all the business''s data (a tar.gz of one JSON-lines file per table and a manifest). Watch its progress in allPrivacyRequests; download it from /exports/<id> when completed. One at a time (SB402).';

-- Called by the job: the archive's size and chunks, for the owner's download.
create function app_hidden.export_archive(p_request_id uuid)
  returns table (status text, archive_bytes bigint, archive_sha256 text, chunks integer, expires_at timestamptz)
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select r.status, r.archive_bytes, r.archive_sha256,
         (select count(*)::integer from app_private.privacy_export_chunks c where c.request_id = r.id),
         r.expires_at
    from app_public.privacy_requests r
   where r.id = p_request_id and r.kind = 'export' and r.user_id = app_public.current_user_id()
$$;
comment on function app_hidden.export_archive(uuid) is
  'The signed-in business''s export (status, size, checksum, number of chunks); no row for another business''s or an unknown id.';

create function app_hidden.export_archive_chunk(p_request_id uuid, p_seq integer) returns bytea
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select c.data
    from app_private.privacy_export_chunks c
    join app_public.privacy_requests r on r.id = c.request_id
   where c.request_id = p_request_id and c.seq = p_seq
     and r.user_id = app_public.current_user_id() and r.status = 'completed'
$$;
comment on function app_hidden.export_archive_chunk(uuid, integer) is
  'One chunk of the signed-in business''s completed export (null for another business''s).';

-- -----------------------------------------------------------------------------
-- (c) Erase one caller.
-- -----------------------------------------------------------------------------
create function app_public.erase_contact(phone_number text default null, contact_id uuid default null)
  returns app_public.privacy_requests
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_user    uuid := app_hidden.require_password_session();
  v_phone   text := phone_number;
  v_contact uuid := contact_id;
  v_calls   uuid[];
  v_counts  jsonb := '{}';
  v_req     app_public.privacy_requests;
  n         integer;
begin
  if v_contact is not null then
    select c.phone_number into v_phone from app_public.contacts c where c.id = v_contact and c.user_id = v_user;
    if v_phone is null then
      raise exception 'No such contact.' using errcode = 'SB104';
    end if;
  elsif v_phone is null or v_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'Give a contact or a phone number in E.164 form (+ and digits).' using errcode = 'SB404';
  else
    select c.id into v_contact from app_public.contacts c where c.user_id = v_user and c.phone_number = v_phone;
  end if;
  -- KEY SHARE on the tenant, like every writer of its calls (a time zone
  -- change waits for this erasure, or this erasure for it).
  perform 1 from app_public.users u where u.id = v_user for key share;

  select coalesce(array_agg(k.id), '{}') into v_calls
    from app_public.calls k
   where k.user_id = v_user and (k.phone_number = v_phone or (v_contact is not null and k.contact_id = v_contact));
  if v_contact is null and cardinality(v_calls) = 0
     and not exists (select 1 from app_public.lead_analytics a where a.user_id = v_user and a.phone_number = v_phone)
     and not exists (select 1 from app_public.follow_ups f where f.user_id = v_user and f.lead_phone = v_phone)
     and not exists (select 1 from app_public.customers s where s.user_id = v_user and s.phone = v_phone) then
    raise exception 'No caller with this number.' using errcode = 'SB104';
  end if;

  -- The ledger keeps every amount and balance; rows only lose their link to the erased calls.
  update app_public.credit_transactions t set call_id = null
   where t.user_id = v_user and t.call_id = any (v_calls);
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('credit_transactions_unlinked', n);

  select count(*) into n from app_public.transcripts t where t.user_id = v_user and t.call_id = any (v_calls);
  v_counts := v_counts || jsonb_build_object('transcripts', n);
  select count(*) into n from app_public.lead_analytics a
   where a.user_id = v_user and a.analysis_type = 'individual' and a.call_id = any (v_calls);
  v_counts := v_counts || jsonb_build_object('individual_analyses', n);

  delete from app_public.lead_analytics a
   where a.user_id = v_user and a.analysis_type = 'complete' and a.phone_number = v_phone;
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('complete_analyses', n);

  delete from app_public.follow_ups f
   where f.user_id = v_user and (f.lead_phone = v_phone or (v_contact is not null and f.contact_id = v_contact));
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('follow_ups', n);

  delete from app_public.customers s
   where s.user_id = v_user and (s.phone = v_phone or (v_contact is not null and s.contact_id = v_contact));
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('customers', n);

  -- The calls' own triggers take their contribution out of the rollups
  -- (negative deltas, analyses included) and their not-connected counts;
  -- transcripts and individual analyses go with them (on delete cascade).
  delete from app_public.calls k where k.id = any (v_calls);
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('calls', n);

  delete from app_public.contacts c where c.id = v_contact and c.user_id = v_user;
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('contacts', n);
  delete from app_hidden.contact_count_deltas d where d.contact_id = v_contact and d.user_id = v_user;

  -- Raw provider deliveries that carry the number.
  delete from app_private.webhook_events w
   where w.user_id = v_user and strpos(w.payload::text, v_phone) > 0;
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('webhook_events', n);

  -- Export archives built earlier hold the caller too: they go now rather than at their expiry.
  with expired as (
    update app_public.privacy_requests r set status = 'expired'
     where r.user_id = v_user and r.kind = 'export' and r.status = 'completed'
    returning r.id
  ), gone as (
    delete from app_private.privacy_export_chunks c using expired e where c.request_id = e.id
  )
  select count(*) into n from expired;
  v_counts := v_counts || jsonb_build_object('export_archives_expired', n);

  insert into app_public.privacy_requests (user_id, kind, status, progress, details, subject_hash, requested_by,
                                           client_ip, user_agent, started_at, finished_at)
  select v_user, 'erase_contact', 'completed', 1, v_counts, app_hidden.privacy_subject_hash(v_phone), v_user,
         o.client_ip, o.user_agent, now(), now()
    from app_hidden.privacy_request_origin() o
  returning * into v_req;
  return v_req;
end
$$;
comment on function app_public.erase_contact(text, uuid) is
  'Erases one caller of the signed-in business (by contact or phone number): calls (their KPI contribution is taken out of the rollups), transcripts, analyses, follow-ups, the customer record, the contact and raw deliveries carrying the number. Credit ledger rows keep their amounts and lose the call link. Stored export archives (which hold the caller) are expired at once. Recorded in allPrivacyRequests without the number.';

-- -----------------------------------------------------------------------------
-- (d) Erase the whole business (the owner, typing the account's email).
-- -----------------------------------------------------------------------------
create function app_public.erase_business(confirm_email text) returns uuid
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_user   uuid := app_hidden.require_password_session();
  v_email  text;
  v_counts jsonb := '{}';
  v_id     uuid;
  t        text;
  n        bigint;
begin
  select u.email::text into v_email from app_public.users u where u.id = v_user for update;
  if v_email is null then
    raise exception 'No such account.' using errcode = 'SB104';
  end if;
  if confirm_email is null or lower(btrim(confirm_email)) <> lower(v_email) then
    raise exception 'Type the account''s email address to confirm erasing the business.' using errcode = 'SB403';
  end if;

  -- Tenant data first (children before parents), then the login itself.
  foreach t in array array[
    'app_public.follow_ups', 'app_public.customers', 'app_public.lead_analytics', 'app_public.transcripts',
    'app_public.credit_transactions', 'app_public.calls', 'app_public.contacts', 'app_public.agent_targets',
    'app_public.phone_numbers', 'app_public.usage_alerts', 'app_public.api_keys',
    'app_private.webhook_events', 'app_private.tenant_retention', 'app_private.provider_credentials',
    'app_private.customer_reference_counters', 'app_hidden.purged_rollups', 'app_hidden.credit_charges',
    'app_hidden.contact_count_deltas']
  loop
    -- The calls' triggers append negative deltas; they go with the tenant's other deltas below.
    execute format('delete from %s where user_id = $1', t) using v_user;
    get diagnostics n = row_count;
    v_counts := v_counts || jsonb_build_object(split_part(t, '.', 2), n);
  end loop;
  delete from app_private.login_attempts a where a.user_id = v_user or lower(a.email::text) = lower(v_email);
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('login_attempts', n);
  select count(*) into n from app_public.agents a where a.user_id = v_user;
  v_counts := v_counts || jsonb_build_object('agents', n);
  select count(*) into n from app_public.privacy_requests r where r.user_id = v_user;
  v_counts := v_counts || jsonb_build_object('privacy_requests', n);

  insert into app_private.erased_businesses (user_id, email_hash, requested_by, client_ip, user_agent, counts)
  select v_user, app_hidden.privacy_subject_hash(v_email), v_user, o.client_ip, o.user_agent, v_counts
    from app_hidden.privacy_request_origin() o
  returning id into v_id;

  -- The login last: agents, rollups, secrets and privacy requests go with it (on delete cascade).
  delete from app_public.users u where u.id = v_user;
  delete from app_hidden.rollup_deltas d where d.user_id = v_user;
  return v_id;
end
$$;
comment on function app_public.erase_business(text) is
  'Erases the signed-in business and its login, after it types its email to confirm (SB403): every tenant row, then the account. The erasure is recorded in the platform log (app_private.erased_businesses) with row counts, never the email in clear. Returns the record''s id.';

-- -----------------------------------------------------------------------------
-- (e) Retention per data type, with platform limits, editable by the business.
-- -----------------------------------------------------------------------------
alter table app_private.retention_policies drop constraint retention_policies_data_type_check;
alter table app_private.retention_policies add constraint retention_policies_data_type_check
  check (data_type in ('calls', 'transcripts', 'recordings', 'privacy_exports',
                       'webhook_events', 'login_attempts', 'trigger_errors', 'audit_log', 'maintenance_logs'));
alter table app_private.retention_policies
  add column min_days integer check (min_days >= 1),
  add column max_days integer,
  add column tenant_editable boolean not null default false;
insert into app_private.retention_policies (data_type, retain_days, description) values
  ('transcripts', 365, 'Call transcripts (text and speaker segments); the call and its analysis stay.'),
  ('recordings', 90, 'Links to call recordings; the call stays.'),
  ('privacy_exports', 7, 'Data export archives, deleted this long after they were built.')
on conflict (data_type) do nothing;
update app_private.retention_policies p
   set min_days = l.min_days, max_days = l.max_days, tenant_editable = true
  from (values ('calls', 30, 1825), ('transcripts', 1, 730), ('recordings', 1, 730)) l (data_type, min_days, max_days)
 where p.data_type = l.data_type;
alter table app_private.retention_policies
  add constraint retention_policies_limits check (
    (min_days is null or retain_days >= min_days) and (max_days is null or (retain_days <= max_days and max_days >= coalesce(min_days, 1))));
comment on column app_private.retention_policies.min_days is 'Shortest retention a business may choose (null: no limit).';
comment on column app_private.retention_policies.max_days is 'Longest retention a business may choose (null: no limit).';
comment on column app_private.retention_policies.tenant_editable is 'Whether businesses may override this data type''s retention.';

create function app_private.tg_tenant_retention__within_limits() returns trigger
  language plpgsql security definer
as $$
declare
  p app_private.retention_policies;
begin
  select * into p from app_private.retention_policies x where x.data_type = new.data_type;
  if new.retain_days < coalesce(p.min_days, 1) or new.retain_days > coalesce(p.max_days, 2147483647) then
    raise exception 'The retention of % must be between % and % days.', new.data_type, coalesce(p.min_days, 1), p.max_days
      using errcode = 'SB401';
  end if;
  return new;
end
$$;
comment on function app_private.tg_tenant_retention__within_limits() is
  'BEFORE INSERT/UPDATE: a retention override stays within the platform''s limits for its data type (SB401), whoever writes it.';
create trigger _010_within_limits before insert or update on app_private.tenant_retention
  for each row execute function app_private.tg_tenant_retention__within_limits();

create type app_public.retention_setting as (
  data_type    text,
  description  text,
  retain_days  integer,
  default_days integer,
  min_days     integer,
  max_days     integer,
  is_override  boolean
);
comment on type app_public.retention_setting is 'How long one data type of the business is kept, and the platform''s limits.';
comment on column app_public.retention_setting.retain_days is 'Days in force for the business (its override, else the platform default).';
comment on column app_public.retention_setting.is_override is 'True when the business chose retain_days itself.';

create function app_public.retention_settings() returns setof app_public.retention_setting
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select p.data_type, p.description, coalesce(r.retain_days, p.retain_days), p.retain_days, p.min_days, p.max_days,
         r.retain_days is not null
    from app_private.retention_policies p
    left join app_private.tenant_retention r on r.data_type = p.data_type and r.user_id = app_public.current_user_id()
   where p.tenant_editable and app_public.current_user_id() is not null
   order by array_position(array['calls', 'transcripts', 'recordings'], p.data_type), p.data_type
$$;
comment on function app_public.retention_settings() is 'The signed-in business''s retention per data type it may edit (calls, transcripts, recordings), with the platform limits.';

create function app_public.set_retention(data_type text, retain_days integer default null) returns app_public.retention_setting
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_password_session();
  v_type text := data_type;
  v_days integer := retain_days;
  v_out  app_public.retention_setting;
begin
  if not exists (select 1 from app_private.retention_policies p where p.data_type = v_type and p.tenant_editable) then
    raise exception 'The retention of % cannot be changed by a business (choose calls, transcripts or recordings).', v_type
      using errcode = 'SB401';
  end if;
  if v_days is null then
    delete from app_private.tenant_retention r where r.user_id = v_user and r.data_type = v_type;
  else
    insert into app_private.tenant_retention as r (user_id, data_type, retain_days) values (v_user, v_type, v_days)
    on conflict on constraint tenant_retention_pkey do update set retain_days = excluded.retain_days;
  end if;
  select * into v_out from app_public.retention_settings() s where s.data_type = v_type;
  return v_out;
end
$$;
comment on function app_public.set_retention(text, integer) is
  'Sets how many days the business keeps one data type (null: back to the platform default). Out of the platform''s limits: SB401.';

-- retention_batch: transcripts, recordings and expired export archives too
-- (latest definition from migration 000014, extended).
create or replace function app_hidden.retention_batch(p_data_type text, p_batch integer default 1000) returns integer
  language plpgsql volatile
as $$
declare
  n       integer := 0;
  m       integer := 0;
  total   integer := 0;
  v_days  integer := (select p.retain_days from app_private.retention_policies p where p.data_type = p_data_type);
  t       record;
begin
  if v_days is null then
    raise exception 'no retention policy for %', p_data_type using errcode = '22023';
  end if;
  if p_data_type = 'calls' then
    for t in
      select u.id, coalesce(r.retain_days, v_days) as days
        from app_public.users u
        left join app_private.tenant_retention r on r.user_id = u.id and r.data_type = 'calls'
    loop
      n := app_hidden.purge_calls(t.id, now() - make_interval(days => t.days), p_batch);
      total := total + n;
    end loop;
    return total;
  elsif p_data_type = 'transcripts' then
    -- Per tenant (its override or the default), by the call's start; no KPI depends on a transcript.
    delete from app_public.transcripts tr
     where tr.id in (select x.id
                       from app_public.users u
                       left join app_private.tenant_retention r on r.user_id = u.id and r.data_type = 'transcripts'
                       cross join lateral (
                         select x.id from app_public.calls k join app_public.transcripts x on x.call_id = k.id
                          where k.user_id = u.id and k.started_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                          order by k.started_at limit p_batch) x
                      limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'recordings' then
    -- Only the recording link goes; the call's figures do not change (no rollup delta).
    update app_public.calls k set recording_url = null
     where k.id in (select x.id
                      from app_public.users u
                      left join app_private.tenant_retention r on r.user_id = u.id and r.data_type = 'recordings'
                      cross join lateral (
                        select x.id from app_public.calls x
                         where x.user_id = u.id and x.recording_url is not null
                           and x.started_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                         order by x.started_at limit p_batch) x
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'privacy_exports' then
    -- Export archives past their expiry: the chunks go, the request row stays (expired).
    with expired as (
      update app_public.privacy_requests r set status = 'expired'
       where r.id in (select x.id from app_public.privacy_requests x
                       where x.kind = 'export' and x.status = 'completed' and x.expires_at < now() limit p_batch)
      returning r.id
    )
    delete from app_private.privacy_export_chunks c using expired e where c.request_id = e.id;
    get diagnostics n = row_count;
  elsif p_data_type = 'webhook_events' then
    delete from app_private.webhook_events w
     where w.id in (select x.id from app_private.webhook_events x
                      left join app_private.tenant_retention r on r.user_id = x.user_id and r.data_type = 'webhook_events'
                     where x.status in ('processed', 'ignored')
                       and x.received_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'login_attempts' then
    delete from app_private.login_attempts a
     where a.id in (select x.id from app_private.login_attempts x
                      left join app_private.tenant_retention r on r.user_id = x.user_id and r.data_type = 'login_attempts'
                     where x.attempted_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'trigger_errors' then
    delete from app_private.trigger_error_log a
     where a.id in (select x.id from app_private.trigger_error_log x
                     where x.occurred_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'audit_log' then
    delete from app_private.audit_log a
     where a.id in (select x.id from app_private.audit_log x
                      left join app_private.tenant_retention r on r.user_id = x.user_id and r.data_type = 'audit_log'
                     where x.created_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'maintenance_logs' then
    delete from app_private.rollup_compaction_log a
     where a.id in (select x.id from app_private.rollup_compaction_log x
                     where x.compacted_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics m = row_count;
    delete from app_private.mv_refresh_log a
     where a.id in (select x.id from app_private.mv_refresh_log x
                     where x.started_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
    m := m + n;
    delete from app_private.rollup_verification_log a
     where a.id in (select x.id from app_private.rollup_verification_log x
                     where x.ran_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
    m := m + n;
    delete from app_private.retention_log a
     where a.id in (select x.id from app_private.retention_log x
                     where x.ran_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
    n := m + n;
  end if;
  if n > 0 then
    insert into app_private.retention_log (user_id, data_type, cutoff, rows_purged)
    values ('00000000-0000-0000-0000-000000000000', p_data_type, now() - make_interval(days => v_days), n);
  end if;
  return n;
end
$$;
comment on function app_hidden.retention_batch(text, integer) is
  'Removes up to one batch (default 1000) of data older than its retention (per-tenant overrides from tenant_retention; calls per tenant, their history kept in the rollups via purged_rollups; transcripts and recording links apart from call rows; expired export archives) and logs it in retention_log (user_id zero for platform-wide rows). Returns the rows removed.';

-- -----------------------------------------------------------------------------
-- (f) Grants
-- -----------------------------------------------------------------------------
revoke all on function app_hidden.privacy_subject_hash(text) from public;
grant execute on function
  app_public.request_data_export(), app_public.erase_contact(text, uuid), app_public.erase_business(text),
  app_public.retention_settings(), app_public.set_retention(text, integer),
  app_hidden.export_archive(uuid), app_hidden.export_archive_chunk(uuid, integer),
  app_hidden.privacy_request_origin()
  to app_user;
