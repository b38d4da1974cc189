--! Previous: sha1:e3d0c9dd53e68e005f625b5c45694ef4973e5283
--! Hash: sha1:aa8f85dce01561e8f718ea2502db0ad6f3121d63
--! Message: Audit trail: generic tg__audit trigger on settings, agents, numbers, targets, API keys, provider credentials and retention (actor, IP, user agent, changed columns, secrets redacted); the log moves to app_hidden, append-only, readable under RLS through audit_entries

-- =============================================================================
-- Audit trail: who changed what, from where, with the old and new values
-- =============================================================================
-- Every change to a tenant's settings (name, time zone, prompts, alert phone),
-- agents, phone numbers, targets, API keys, provider credentials and retention
-- settings is recorded by one generic trigger, app_private.tg__audit(), with
-- the actor (the signed-in user, or null for the worker and webhooks), the
-- client's IP and user agent (per-request settings switchboard.client_ip and
-- switchboard.user_agent, set by the GraphQL server), the table and row, and
-- the changed columns' old and new values with secret columns redacted.
--
-- The log moves to app_hidden (the app roles may read it under RLS, nobody but
-- the owner writes it); app_private.audit_log stays as a view of it, so code
-- written against the old name (retention_batch) keeps working.

alter table app_private.audit_log set schema app_hidden;
create view app_private.audit_log as select * from app_hidden.audit_log;
comment on view app_private.audit_log is
  'The audit log''s former name (a view of app_hidden.audit_log, updatable), for code written before it moved. New code uses app_hidden.audit_log.';

-- Who and where of the current statement, read from the request's settings.
create function app_hidden.request_client_ip() returns inet
  language sql stable parallel safe
as $$
  select case when pg_catalog.pg_input_is_valid(s.ip, 'inet') then s.ip::inet end
    from (select nullif(pg_catalog.current_setting('switchboard.client_ip', true), '') as ip) s
$$;
comment on function app_hidden.request_client_ip() is
  'The client address of the current GraphQL request (switchboard.client_ip), null outside requests or when malformed.';

create function app_hidden.request_user_agent() returns text
  language sql stable parallel safe
as $$
  select pg_catalog.left(nullif(pg_catalog.current_setting('switchboard.user_agent', true), ''), 512)
$$;
comment on function app_hidden.request_user_agent() is
  'The User-Agent of the current GraphQL request (switchboard.user_agent, at most 512 characters), null outside requests.';

create function app_hidden.request_actor() returns text
  language sql stable parallel safe
as $$
  select case pg_catalog.current_setting('role', true)
           when 'app_user' then case when nullif(pg_catalog.current_setting('jwt.claims.api_key_id', true), '') is null
                                     then 'user' else 'api_key' end
           when 'app_admin' then 'admin'
           when 'app_anonymous' then 'anonymous'
           else 'system'
         end
$$;
comment on function app_hidden.request_actor() is
  'What kind of caller makes the current change: user (password session), api_key, admin, anonymous (sign-up) or system (worker, webhooks, migrations). Reads the role setting, so it is right inside security definer functions too.';

alter table app_hidden.audit_log
  alter column actor set default app_hidden.request_actor(),
  alter column ip_address set default app_hidden.request_client_ip(),
  add column actor_id   uuid default app_public.current_user_id(),
  add column api_key_id uuid default nullif(pg_catalog.current_setting('jwt.claims.api_key_id', true), '')::uuid,
  add column user_agent text default app_hidden.request_user_agent(),
  add column old_values jsonb,
  add column new_values jsonb;

drop index app_hidden.audit_log_user_idx;
create index audit_log_user_latest_idx on app_hidden.audit_log (user_id, id desc);

comment on table app_hidden.audit_log is
  'Append-only audit trail of a tenant''s changes (settings, agents, numbers, targets, API keys, provider credentials, retention). Written by app_private.tg__audit() and a few functions; readable by the tenant (RLS) through app_public.audit_entries.';
comment on column app_hidden.audit_log.user_id is 'The tenant the change belongs to (null once the tenant is deleted).';
comment on column app_hidden.audit_log.actor is 'user, api_key, admin, anonymous or system (worker, webhooks); older rows hold the database role.';
comment on column app_hidden.audit_log.actor_id is 'The signed-in user who made the change; null for the worker, webhooks and sign-up.';
comment on column app_hidden.audit_log.api_key_id is 'The API key the change was made with, if any.';
comment on column app_hidden.audit_log.action is 'insert, update or delete for data changes (older rows: named events such as api_key.create).';
comment on column app_hidden.audit_log.resource_type is 'The table changed (without schema).';
comment on column app_hidden.audit_log.resource_id is 'The changed row''s id (or its primary key values joined by /).';
comment on column app_hidden.audit_log.ip_address is 'The client address of the request (null for the worker and webhooks).';
comment on column app_hidden.audit_log.user_agent is 'The client''s User-Agent (at most 512 characters).';
comment on column app_hidden.audit_log.old_values is 'Before the change: the changed columns (update) or the whole row (delete); secret columns as "[redacted]".';
comment on column app_hidden.audit_log.new_values is 'After the change: the changed columns (update) or the whole row (insert); secret columns as "[redacted]".';

-- Append-only. Only the owner can write at all (no grants to the app roles);
-- this refuses its updates too, except the foreign key's user_id -> null when
-- a tenant is deleted. (Deletes: retention only.)
create function app_private.tg_audit_log__append_only() returns trigger
  language plpgsql
as $$
begin
  if new.user_id is null and old.user_id is not null
     and (pg_catalog.to_jsonb(new) - 'user_id') = (pg_catalog.to_jsonb(old) - 'user_id') then
    return new;
  end if;
  raise exception 'audit log entries cannot be changed' using errcode = 'SB130';
end
$$;
comment on function app_private.tg_audit_log__append_only() is
  'BEFORE UPDATE on app_hidden.audit_log: refuses every change (SB130) except the tenant foreign key''s set-null.';
create trigger _010_append_only before update on app_hidden.audit_log
  for each row execute function app_private.tg_audit_log__append_only();

-- The generic trigger. Arguments: column names. A plain name is a secret: the
-- entry says it changed ("[redacted]", or null when cleared) and never holds
-- its value or hash. A name with a leading '-' is ignored: not shown, and a
-- change of only such columns records nothing (counters, last-use stamps).
-- id, user_id, created_at and updated_at are never listed as values.
create function app_private.tg__audit() returns trigger
  language plpgsql volatile security definer
as $$
declare
  v_old     jsonb := case when tg_op <> 'INSERT' then pg_catalog.to_jsonb(old) end;
  v_new     jsonb := case when tg_op <> 'DELETE' then pg_catalog.to_jsonb(new) end;
  v_row     jsonb := coalesce(v_new, v_old);
  v_secret  text[] := array(select a from pg_catalog.unnest(tg_argv) a where a not like '-%');
  v_skip    text[] := array['id', 'user_id', 'created_at', 'updated_at']
                      || array(select pg_catalog.substr(a, 2) from pg_catalog.unnest(tg_argv) a where a like '-%');
  v_tenant  uuid := coalesce(v_row ->> 'user_id',
                             case when tg_table_schema = 'app_public' and tg_table_name = 'users' then v_row ->> 'id' end)::uuid;
  v_keys    text[];
  v_row_id  text := v_row ->> 'id';
begin
  if tg_op = 'UPDATE' then
    v_keys := array(select n.key from pg_catalog.jsonb_each(v_new) n
                     where n.key <> all (v_skip) and n.value is distinct from v_old -> n.key);
    if cardinality(v_keys) = 0 then
      return null;
    end if;
  else
    v_keys := array(select n.key from pg_catalog.jsonb_each(v_row) n where n.key <> all (v_skip));
  end if;
  if tg_op = 'DELETE' and not exists (select 1 from app_public.users u where u.id = v_tenant) then
    -- The tenant itself is being deleted: one entry for the tenant (no values:
    -- nothing personal outlives it), none for the rows its deletion cascades to.
    if tg_table_schema = 'app_public' and tg_table_name = 'users' then
      insert into app_hidden.audit_log (user_id, action, resource_type, resource_id)
      values (null, 'delete', tg_table_name, v_row_id);
    end if;
    return null;
  end if;
  if v_row_id is null then
    select pg_catalog.string_agg(v_row ->> a.attname, '/' order by k.ord) into v_row_id
      from pg_catalog.pg_index i
     cross join lateral pg_catalog.unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
     where i.indrelid = tg_relid and i.indisprimary;
  end if;
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, old_values, new_values)
  select v_tenant, pg_catalog.lower(tg_op), tg_table_name, v_row_id,
         case when v_old is not null then pg_catalog.jsonb_object_agg(k.key,
           case when k.key = any (v_secret) and v_old -> k.key <> 'null' then '"[redacted]"'::jsonb else v_old -> k.key end) end,
         case when v_new is not null then pg_catalog.jsonb_object_agg(k.key,
           case when k.key = any (v_secret) and v_new -> k.key <> 'null' then '"[redacted]"'::jsonb else v_new -> k.key end) end
    from pg_catalog.unnest(v_keys) k(key);
  return null;
end
$$;
comment on function app_private.tg__audit() is
  'AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW: appends the change to app_hidden.audit_log (tenant, actor, IP, user agent, table, row, changed columns old/new). Arguments: secret columns (recorded as "[redacted]"), and ''-column'' for columns to ignore. To audit a table: create trigger _900_audit after insert or update or delete on <table> for each row execute function app_private.tg__audit(<secret columns>);';

create trigger _900_audit after insert or update or delete on app_public.users
  for each row execute function app_private.tg__audit('-credits');
create trigger _900_audit after insert or update or delete on app_public.agents
  for each row execute function app_private.tg__audit();
create trigger _900_audit after insert or update or delete on app_public.phone_numbers
  for each row execute function app_private.tg__audit();
create trigger _900_audit after insert or update or delete on app_public.agent_targets
  for each row execute function app_private.tg__audit();
create trigger _900_audit after insert or update or delete on app_public.api_keys
  for each row execute function app_private.tg__audit('-last_used_at');
create trigger _900_audit after insert or update or delete on app_private.provider_credentials
  for each row execute function app_private.tg__audit('bolna_token_hash', 'bolna_signing_secret_enc', 'twilio_auth_token_enc');
create trigger _900_audit after insert or update or delete on app_private.tenant_retention
  for each row execute function app_private.tg__audit();

-- The functions that wrote named events by hand: the trigger records their
-- changes now (with more detail), so they no longer insert into the log.
create or replace function app_hidden.register_user(email text, password text, name text, timezone text default 'UTC')
  returns uuid
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user_id uuid;
begin
  if password is null or length(password) < 8 then
    raise exception 'password must be at least 8 characters long' using errcode = 'SB101';
  end if;
  if octet_length(password) > 72 then
    -- bcrypt only reads the first 72 bytes: refuse rather than silently truncate
    raise exception 'password must be at most 72 bytes long' using errcode = 'SB101';
  end if;
  begin
    insert into app_public.users (email, name, timezone)
    values (register_user.email, register_user.name, coalesce(register_user.timezone, 'UTC'))
    returning id into v_user_id;
  exception when unique_violation then
    raise exception 'an account with this email already exists' using errcode = 'SB102';
  end;
  insert into app_private.user_secrets (user_id, password_hash)
  values (v_user_id, crypt(password, gen_salt('bf', 10)));
  return v_user_id;
end
$$;

create or replace function app_public.create_api_key(name text, scopes text[] default '{read}', expires_at timestamptz default null)
  returns app_public.created_api_key
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
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
  if expires_at is not null and expires_at <= now() then
    raise exception 'expires_at must be in the future' using errcode = '22023';
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
  values (v_user_id, create_api_key.name, v_prefix, v_scopes, create_api_key.expires_at)
  returning * into v_key;
  insert into app_private.api_key_secrets (api_key_id, key_hash)
  values (v_key.id, sha256(convert_to(v_secret, 'UTF8')));
  return row(v_key, v_secret)::app_public.created_api_key;
end
$$;

create or replace function app_public.revoke_api_key(key_id uuid) returns app_public.api_keys
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_key app_public.api_keys;
begin
  if nullif(current_setting('jwt.claims.api_key_id', true), '') is not null then
    raise exception 'API keys cannot revoke API keys; sign in with a password' using errcode = '42501';
  end if;
  update app_public.api_keys k
     set revoked_at = coalesce(k.revoked_at, now())
   where k.id = key_id and k.user_id = app_public.current_user_id()
  returning * into v_key;
  if v_key.id is null then
    raise exception 'API key not found' using errcode = 'SB104';
  end if;
  return v_key;
end
$$;

create or replace function app_public.rotate_bolna_ingest_token() returns text
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user  uuid := app_hidden.require_password_session();
  v_token text := 'sbw_' || translate(rtrim(encode(gen_random_bytes(32), 'base64'), '='), '+/', '-_');
begin
  insert into app_private.provider_credentials as c (user_id, bolna_token_hash, bolna_token_prefix)
  values (v_user, sha256(convert_to(v_token, 'UTF8')), left(v_token, 10))
  on conflict (user_id) do update
    set bolna_token_hash = excluded.bolna_token_hash, bolna_token_prefix = excluded.bolna_token_prefix, updated_at = now();
  return v_token;
end
$$;

create or replace function app_hidden.store_provider_secret(
  kind text, ciphertext bytea, twilio_account_sid text default null, require_signature boolean default null)
  returns void
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_password_session();
begin
  if kind = 'bolna_signing_secret' then
    insert into app_private.provider_credentials as c (user_id, bolna_signing_secret_enc, bolna_require_signature)
    values (v_user, ciphertext, coalesce(require_signature, ciphertext is not null))
    on conflict (user_id) do update
      set bolna_signing_secret_enc = excluded.bolna_signing_secret_enc,
          bolna_require_signature = coalesce(store_provider_secret.require_signature, excluded.bolna_signing_secret_enc is not null),
          updated_at = now();
  elsif kind = 'twilio_auth_token' then
    if twilio_account_sid is null or ciphertext is null then
      raise exception 'a Twilio account SID and auth token are both required' using errcode = '22023';
    end if;
    -- Not exclusive: another tenant naming the same account changes nothing
    -- for this one (callbacks go to the tenant whose auth token signed them).
    insert into app_private.provider_credentials as c (user_id, twilio_account_sid, twilio_auth_token_enc)
    values (v_user, store_provider_secret.twilio_account_sid, ciphertext)
    on conflict (user_id) do update
      set twilio_account_sid = excluded.twilio_account_sid, twilio_auth_token_enc = excluded.twilio_auth_token_enc,
          updated_at = now();
  else
    raise exception 'unknown secret kind %', kind using errcode = '22023';
  end if;
end
$$;

-- Reading: RLS. Today the tenant user is the business's owner; when members
-- arrive (issue 14), app_hidden.audit_log_tenant() returns the tenant only for
-- its owners, and the policy follows.
create function app_hidden.audit_log_tenant() returns uuid
  language sql stable parallel safe
as $$
  select app_public.current_user_id()
$$;
comment on function app_hidden.audit_log_tenant() is
  'The tenant whose audit log the caller may read: today the signed-in tenant (a business is one login, its owner); restrict to owners here when members arrive.';

alter table app_hidden.audit_log enable row level security;
create policy select_own on app_hidden.audit_log for select to app_user
  using (user_id = (select app_hidden.audit_log_tenant()));
create policy select_all_admin on app_hidden.audit_log for select to app_admin using (true);
grant select on app_hidden.audit_log to app_user;
grant execute on function app_hidden.audit_log_tenant() to app_user;

create type app_public.audit_entry as (
  id          bigint,
  created_at  timestamptz,
  user_id     uuid,
  actor       text,
  actor_id    uuid,
  api_key_id  uuid,
  ip_address  inet,
  user_agent  text,
  action      text,
  table_name  text,
  record_id   text,
  old_values  jsonb,
  new_values  jsonb,
  details     jsonb
);
comment on type app_public.audit_entry is 'One change in the audit trail.';
comment on column app_public.audit_entry.user_id is 'The tenant the change belongs to.';
comment on column app_public.audit_entry.actor is 'user, api_key, admin, anonymous (sign-up) or system (worker, webhooks).';
comment on column app_public.audit_entry.actor_id is 'The signed-in user who made the change; null for the worker, webhooks and sign-up.';
comment on column app_public.audit_entry.api_key_id is 'The API key used, if any.';
comment on column app_public.audit_entry.ip_address is 'The client address (null for the worker and webhooks).';
comment on column app_public.audit_entry.user_agent is 'The client''s User-Agent.';
comment on column app_public.audit_entry.action is 'insert, update or delete (older entries: named events such as api_key.create).';
comment on column app_public.audit_entry.table_name is 'What was changed: users (settings), agents, phone_numbers, agent_targets, api_keys, provider_credentials, tenant_retention...';
comment on column app_public.audit_entry.record_id is 'The changed row''s id.';
comment on column app_public.audit_entry.old_values is 'The changed columns before (the whole row for a delete); secrets as "[redacted]".';
comment on column app_public.audit_entry.new_values is 'The changed columns after (the whole row for an insert); secrets as "[redacted]".';

-- Security invoker and plain SQL: PostgreSQL inlines it, RLS applies, and the
-- page's limit reaches the (user_id, id desc) index.
create function app_public.audit_entries(action text default null, table_name text default null, tenant_id uuid default null)
  returns setof app_public.audit_entry
  language sql stable
as $$
  select a.id, a.created_at, a.user_id, a.actor, a.actor_id, a.api_key_id, a.ip_address, a.user_agent,
         a.action, a.resource_type, a.resource_id, a.old_values, a.new_values, a.details
    from app_hidden.audit_log a
   where (audit_entries.action is null or a.action = audit_entries.action)
     and (audit_entries.table_name is null or a.resource_type = audit_entries.table_name)
     and (audit_entries.tenant_id is null or a.user_id = audit_entries.tenant_id)
   order by a.id desc
$$;
comment on function app_public.audit_entries(text, text, uuid) is
  'The audit trail, newest first: the signed-in business''s own changes (platform admins: every tenant''s; tenantId narrows it). Filter by action (insert, update, delete) and table.';
grant execute on function app_public.audit_entries(text, text, uuid) to app_user;
