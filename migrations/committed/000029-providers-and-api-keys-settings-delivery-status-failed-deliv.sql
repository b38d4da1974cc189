--! Previous: sha1:67cad7f9e856ddba3d681a5b6ffdcde1d82099dc
--! Hash: sha1:39146022d6c4b7029c69afa702184e3f312c3c2b
--! Message: Providers and API keys settings: delivery status, failed deliveries and their replay per business, API key errors that name the field

-- Providers and API keys settings pages (issue 14, item 3): delivery status per provider, the tenant's
-- failed deliveries with their error, replaying them from the dashboard, and API key errors that name
-- the field (SB601-SB605, mapped in server/errors.ts).

-------------------------------------------------------------------------------
-- Indexes: the tenant's deliveries per provider, newest first (replaces the plain user_id index, whose
-- uses the new one serves too: one index to maintain per delivery, as before), and its failed ones
-- (a partial index that only failed deliveries enter).
-------------------------------------------------------------------------------
drop index if exists app_private.webhook_events_user_idx;
create index if not exists webhook_events_user_provider_idx
  on app_private.webhook_events (user_id, provider, received_at);
create index if not exists webhook_events_user_failed_idx
  on app_private.webhook_events (user_id, provider, received_at) where status = 'failed';

-------------------------------------------------------------------------------
-- Delivery status per provider.
-------------------------------------------------------------------------------
drop function if exists app_public.provider_delivery_summaries();
drop type if exists app_public.provider_delivery_summary;
create type app_public.provider_delivery_summary as (
  provider text,
  last_delivery_at timestamptz,
  last_applied_at timestamptz,
  failed_deliveries integer
);
comment on type app_public.provider_delivery_summary is 'When a provider''s deliveries last arrived and how many of them are failed (kept for replay).';
comment on column app_public.provider_delivery_summary.provider is 'bolna or twilio.';
comment on column app_public.provider_delivery_summary.last_delivery_at is 'When the newest delivery arrived (applied or not); null: none yet.';
comment on column app_public.provider_delivery_summary.last_applied_at is 'When the newest delivery that was applied arrived.';
comment on column app_public.provider_delivery_summary.failed_deliveries is 'Deliveries stored but not applied (replayable once the cause is fixed).';

create function app_public.provider_delivery_summaries()
  returns setof app_public.provider_delivery_summary
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select p.provider,
         (select max(w.received_at) from app_private.webhook_events w
           where w.user_id = app_public.current_user_id() and w.provider = p.provider),
         (select max(w.received_at) from app_private.webhook_events w
           where w.user_id = app_public.current_user_id() and w.provider = p.provider and w.status = 'processed'),
         (select count(*)::integer from app_private.webhook_events w
           where w.user_id = app_public.current_user_id() and w.provider = p.provider and w.status = 'failed')
    from (values ('bolna'), ('twilio')) p (provider)
   where app_public.current_user_id() is not null
$$;
comment on function app_public.provider_delivery_summaries() is E'@behavior +list -connection\n@listSuffix omit\nThe signed-in business''s webhook deliveries per provider: when the last one arrived, the last applied one, and how many failed. Managers and viewers may read it (no secrets).';
grant execute on function app_public.provider_delivery_summaries() to app_user;

-------------------------------------------------------------------------------
-- Failed deliveries.
-------------------------------------------------------------------------------
drop function if exists app_public.failed_deliveries(text, integer);
drop type if exists app_public.failed_delivery;
create type app_public.failed_delivery as (
  provider text,
  event_key text,
  received_at timestamptz,
  last_attempt_at timestamptz,
  attempts integer,
  provider_call_id text,
  provider_status text,
  error_sqlstate text,
  error_message text
);
comment on type app_public.failed_delivery is 'A delivery stored but not applied. The API adds its error code and plain message (server/errors.ts, as the webhook answered).';
comment on column app_public.failed_delivery.event_key is 'The delivery''s own key (Bolna id:status:updated_at, Twilio CallSid:SequenceNumber:CallStatus); names it for replayFailedDeliveries.';
comment on column app_public.failed_delivery.provider_call_id is 'The provider''s call (Bolna execution id, Twilio CallSid).';
comment on column app_public.failed_delivery.provider_status is 'The status the delivery carried.';
comment on column app_public.failed_delivery.error_sqlstate is E'@behavior -*\nThe SQLSTATE of the failure (SB107 unknown status, SB108 unknown agent or number, ...); the API exposes its code instead.';
comment on column app_public.failed_delivery.error_message is E'@behavior -*\nOur own wording of the failure (SB codes only: PostgreSQL''s may name internals); the API exposes its plain message instead.';

create function app_public.failed_deliveries(provider text default null, max_rows integer default 20)
  returns setof app_public.failed_delivery
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select w.provider, w.event_key, w.received_at, w.processed_at, w.attempts,
         coalesce(w.payload ->> 'id', w.payload ->> 'CallSid'),
         coalesce(w.payload ->> 'status', w.payload ->> 'CallStatus'),
         w.error_code,
         case when w.error_code like 'SB%' then w.error end
    from app_private.webhook_events w
   where w.user_id = app_public.current_user_id()
     and w.provider in ('bolna', 'twilio')
     and (failed_deliveries.provider is null or w.provider = failed_deliveries.provider)
     and w.status = 'failed'
   order by w.received_at desc, w.id desc
   limit least(greatest(coalesce(max_rows, 20), 1), 100)
$$;
comment on function app_public.failed_deliveries(provider text, max_rows integer) is E'@behavior +list -connection\n@listSuffix omit\nThe signed-in business''s failed deliveries (of one provider, or all), newest first, at most max_rows (1-100, default 20). Managers and viewers may read them (no secrets).';
grant execute on function app_public.failed_deliveries(provider text, max_rows integer) to app_user;

-------------------------------------------------------------------------------
-- Replaying them.
-------------------------------------------------------------------------------
drop function if exists app_public.replay_failed_deliveries(text, text[]);
drop type if exists app_public.delivery_replay;
create type app_public.delivery_replay as (
  replayed integer,
  applied integer,
  still_failed integer
);
comment on type app_public.delivery_replay is 'What a replay did: deliveries re-applied, of which applied now, and still failing.';

create function app_public.replay_failed_deliveries(provider text, event_keys text[] default null)
  returns app_public.delivery_replay
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user    uuid := app_public.current_user_id();
  v_id      bigint;
  v_state   text;
  n_replay  integer := 0;
  n_applied integer := 0;
begin
  if v_user is null then
    raise exception 'sign in to replay deliveries' using errcode = '42501';
  end if;
  if provider is null or provider not in ('bolna', 'twilio') then
    raise exception 'Unknown provider "%": choose bolna or twilio.', provider using errcode = 'SB605';
  end if;
  -- Oldest first, so a call's events are applied in order. FOR UPDATE re-checks the status once a
  -- concurrent replay of the same delivery commits: a delivery applied meanwhile is skipped, so
  -- replaying twice never applies twice (applying an applied event would be a no-op anyway).
  for v_id in
    select w.id from app_private.webhook_events w
     where w.user_id = v_user
       and w.provider = replay_failed_deliveries.provider
       and w.status = 'failed'
       and (event_keys is null or w.event_key = any (event_keys))
     order by w.received_at, w.id
     limit 100
       for update
  loop
    select a.state into v_state from app_hidden.apply_webhook_event(v_id) a;
    n_replay := n_replay + 1;
    if v_state = 'processed' then n_applied := n_applied + 1; end if;
  end loop;
  return row(n_replay, n_applied, n_replay - n_applied)::app_public.delivery_replay;
end
$$;
comment on function app_public.replay_failed_deliveries(provider text, event_keys text[]) is 'Re-applies the signed-in business''s failed deliveries of one provider (those named by event_keys, or all; at most 100, oldest first) once their cause is fixed. Idempotent: an applied delivery is not replayed again. Owners and managers (viewers run read-only).';
grant execute on function app_public.replay_failed_deliveries(provider text, event_keys text[]) to app_user;

-------------------------------------------------------------------------------
-- API keys: errors that name the field.
-------------------------------------------------------------------------------
create or replace function app_hidden.normalize_api_key_scopes(scopes text[])
  returns text[]
  language plpgsql immutable
as $$
declare
  v       text[];
  unknown text;
begin
  if scopes is null or cardinality(scopes) = 0 then
    raise exception 'Choose at least one scope: read, or read and write.' using errcode = 'SB603';
  end if;
  select s into unknown from unnest(scopes) s where s is null or s not in ('read', 'write') limit 1;
  if found then
    raise exception 'Unknown scope "%": a key''s scopes are read and write.', coalesce(unknown, '') using errcode = 'SB602';
  end if;
  -- write implies read; sorted and de-duplicated
  select array_agg(distinct s order by s) into v
    from unnest(scopes || case when 'write' = any (scopes) then array['read'] else array[]::text[] end) s;
  return v;
end
$$;
comment on function app_hidden.normalize_api_key_scopes(scopes text[]) is 'Validated scopes, with read added to write, sorted and de-duplicated (SB603 when empty, SB602 when unknown).';

create or replace function app_public.create_api_key(name text, scopes text[] default '{read}'::text[], expires_at timestamp with time zone default null::timestamp with time zone)
  returns app_public.created_api_key
  language plpgsql
  security definer
  set search_path to 'pg_catalog', 'public', 'pg_temp'
as $$
declare
  v_user_id uuid := app_public.current_user_id();
  v_key     app_public.api_keys;
  v_prefix  text;
  v_secret  text;
  v_scopes  text[];
begin
  if v_user_id is null then
    raise exception 'sign in to create API keys' using errcode = '42501';
  end if;
  if nullif(current_setting('jwt.claims.api_key_id', true), '') is not null then
    raise exception 'API keys cannot create API keys; sign in with a password' using errcode = '42501';
  end if;
  if create_api_key.name is null or length(btrim(create_api_key.name)) < 1 or length(create_api_key.name) > 100 then
    raise exception 'Give the key a name of 1 to 100 characters.' using errcode = 'SB601';
  end if;
  if expires_at is not null and expires_at <= now() then
    raise exception 'The expiry must be in the future.' using errcode = 'SB604';
  end if;
  v_scopes := app_hidden.normalize_api_key_scopes(coalesce(scopes, '{read}'));
  if (select count(*) from app_public.api_keys k
       where k.user_id = v_user_id and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())) >= 50 then
    raise exception 'a tenant can have at most 50 active API keys; revoke one first' using errcode = '54000';
  end if;
  loop
    v_prefix := encode(gen_random_bytes(4), 'hex');
    exit when not exists (select 1 from app_public.api_keys k where k.key_prefix = v_prefix);
  end loop;
  v_secret := format('sbk_%s_%s', v_prefix,
                     translate(rtrim(encode(gen_random_bytes(32), 'base64'), '='), '+/', '-_'));
  insert into app_public.api_keys (user_id, name, key_prefix, scopes, expires_at)
  values (v_user_id, btrim(create_api_key.name), v_prefix, v_scopes, create_api_key.expires_at)
  returning * into v_key;
  insert into app_private.api_key_secrets (api_key_id, key_hash)
  values (v_key.id, sha256(convert_to(v_secret, 'UTF8')));
  return row(v_key, v_secret)::app_public.created_api_key;
end
$$;
comment on function app_public.create_api_key(name text, scopes text[], expires_at timestamp with time zone) is 'Creates an API key for the signed-in tenant (scopes read and/or write; optional expiry) and returns its secret once. Requires a password sign-in, not another API key. Owner-only (SB601 name, SB602/SB603 scopes, SB604 expiry).';

-------------------------------------------------------------------------------
-- Owner-only functions (provider secrets and API keys): said in their comments; the team branch's
-- roles move their grants from app_user to the owner role.
-------------------------------------------------------------------------------
comment on function app_public.revoke_api_key(key_id uuid) is 'Revokes one of the tenant''s API keys (immediately; idempotent). Owner-only.';
comment on function app_public.rotate_bolna_ingest_token() is 'Creates or replaces the tenant''s Bolna webhook token and returns it once: Bolna posts to /webhooks/bolna/<token>. The previous token stops working at once. Owner-only.';
comment on function app_hidden.store_provider_secret(kind text, ciphertext bytea, twilio_account_sid text, require_signature boolean) is 'Stores a server-encrypted provider secret for the signed-in tenant (password sessions only). A Twilio account may be named by several tenants; none can block another. Owner-only.';
