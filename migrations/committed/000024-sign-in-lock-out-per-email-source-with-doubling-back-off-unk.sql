--! Previous: sha1:aa8f85dce01561e8f718ea2502db0ad6f3121d63
--! Hash: sha1:6ef3768ddb546f6bedc6fec589ce48f06ca92b90
--! Message: Sign-in lock-out per (email, source) with doubling back-off; unknown emails lock the same way

-- Sign-in lock-out per (email, source) with back-off (issue 13, item 7).
--
-- Before: five wrong passwords from anyone locked the ACCOUNT for everyone (a
-- stranger could lock any owner out), and unknown emails never locked (so a
-- lock revealed that an email exists). Now failures are counted per (email,
-- source): an attacker's failures lock only the attacker's source, the owner
-- signing in from elsewhere is not affected, and unknown emails lock exactly
-- like known ones. Each new lock of the same (email, source) lasts twice as
-- long as the one before (auth.lockout_minutes, doubled, up to
-- auth.lockout_max_minutes); a success from that source clears it.

create table app_private.login_throttles (
  email           citext not null,
  source          text not null,
  failures        integer not null default 0 check (failures >= 0),
  first_failed_at timestamptz,
  lockouts        integer not null default 0 check (lockouts >= 0),
  locked_until    timestamptz,
  updated_at      timestamptz not null default now(),
  primary key (email, source)
);
create index login_throttles_updated_idx on app_private.login_throttles (updated_at);
comment on table app_private.login_throttles is
  'Failed sign-ins per (email, source), known and unknown emails alike: the lock-out state. Rows idle longer than the longest lock are forgotten by app_hidden.login.';
comment on column app_private.login_throttles.source is 'The client address (IPv4, or the /64 of an IPv6 address): app_hidden.login_source.';
comment on column app_private.login_throttles.failures is 'Failures since first_failed_at (within auth.lockout_window_minutes), since the last lock.';
comment on column app_private.login_throttles.lockouts is 'Locks so far: the next one lasts auth.lockout_minutes x 2^lockouts (at most auth.lockout_max_minutes).';

-- The account-wide counters are replaced by the table above.
alter table app_private.user_secrets
  drop column failed_logins,
  drop column first_failed_login_at,
  drop column locked_until;

insert into app_private.system_config (key, value, description) values
  ('auth.lockout_max_minutes', '1440', 'Longest lock of one (email, source): each new lock doubles auth.lockout_minutes up to this.')
on conflict (key) do nothing;
update app_private.system_config c
   set description = d.description
  from (values
    ('auth.max_failed_logins', 'Failed sign-ins for one email from one source (within auth.lockout_window_minutes) that lock that email for that source.'),
    ('auth.lockout_window_minutes', 'Window in which failed sign-ins of one (email, source) are counted.'),
    ('auth.lockout_minutes', 'First lock of one (email, source); each further lock doubles it (up to auth.lockout_max_minutes).')
  ) as d (key, description)
 where c.key = d.key;

create function app_hidden.login_source(ip text) returns text
  language plpgsql stable parallel safe
as $$
declare
  -- An IPv4-mapped IPv6 address (::ffff:a.b.c.d, from a dual-stack listener) is its IPv4 address.
  v_ip text := regexp_replace(btrim(coalesce(ip, '')), '^::ffff:([0-9]{1,3}(\.[0-9]{1,3}){3})$', '\1', 'i');
begin
  -- plpgsql, not sql: a constant argument must not be cast to inet before it is checked.
  if not pg_input_is_valid(v_ip, 'inet') then
    return 'unknown';
  end if;
  return case when family(v_ip::inet) = 4 then host(v_ip::inet) else network(set_masklen(v_ip::inet, 64))::text end;
end
$$;
comment on function app_hidden.login_source(text) is
  'The source a sign-in is counted against: the IPv4 address (IPv4-mapped IPv6 included), the /64 of an IPv6 address (one subscriber''s block), else ''unknown''.';

create or replace function app_hidden.login(email text, password text, ip text default null)
  returns table (outcome text, user_id uuid, db_role text)
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_email    citext := coalesce(login.email, '');
  -- The server passes the client address; else the request's pgSetting.
  v_source   text := app_hidden.login_source(coalesce(nullif(login.ip, ''), current_setting('switchboard.client_ip', true)));
  v_user     app_public.users;
  v_hash     text;
  v_throttle app_private.login_throttles;
  v_outcome  text;
  v_failures integer;
  v_max      integer := greatest(1, app_hidden.config_int('auth.max_failed_logins', 5));
  v_window   interval := make_interval(mins => app_hidden.config_int('auth.lockout_window_minutes', 15));
  v_lock     interval := make_interval(mins => app_hidden.config_int('auth.lockout_minutes', 15));
  v_max_lock interval := make_interval(mins => app_hidden.config_int('auth.lockout_max_minutes', 1440));
begin
  -- Never raises for bad credentials: the attempt and the failure count must commit.

  -- Sources idle for longer than the longest lock are forgotten (their back-off starts over).
  delete from app_private.login_throttles t where t.updated_at < now() - (v_max_lock + v_window);

  -- The (email, source) row, created if needed and locked: attempts from one source queue here.
  insert into app_private.login_throttles as t (email, source) values (v_email, v_source)
  on conflict on constraint login_throttles_pkey do update set updated_at = t.updated_at
  returning t.* into v_throttle;

  select u.* into v_user from app_public.users u where u.email = v_email;
  if v_user.id is not null then
    select s.password_hash into v_hash from app_private.user_secrets s where s.user_id = v_user.id;
  end if;

  if v_throttle.locked_until > now() then
    -- Locked for this source: no password is checked, for known and unknown emails alike.
    v_outcome := 'locked';
  elsif v_hash is not null and v_hash = crypt(coalesce(password, ''), v_hash) then
    v_outcome := case when v_user.is_active then 'ok' else 'inactive' end;
    -- A success clears this source's failures and back-off (other sources keep theirs).
    delete from app_private.login_throttles t where t.email = v_email and t.source = v_source;
    if v_outcome = 'ok' then
      update app_private.user_secrets s set last_login_at = now() where s.user_id = v_user.id;
    end if;
  else
    if v_hash is null then
      -- Unknown email (or no password): spend the same bcrypt time, so timing
      -- does not reveal which emails exist.
      perform crypt(coalesce(password, ''), '$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW2G3cAwjKoh1WZO');
    end if;
    v_failures := case when v_throttle.first_failed_at > now() - v_window then v_throttle.failures + 1 else 1 end;
    if v_failures >= v_max then
      update app_private.login_throttles t
         set failures = 0, first_failed_at = null, lockouts = t.lockouts + 1,
             locked_until = now() + least(v_lock * power(2, least(t.lockouts, 20)), v_max_lock),
             updated_at = now()
       where t.email = v_email and t.source = v_source;
      v_outcome := 'locked';
    else
      update app_private.login_throttles t
         set failures = v_failures,
             first_failed_at = case when v_failures = 1 then now() else t.first_failed_at end,
             updated_at = now()
       where t.email = v_email and t.source = v_source;
      v_outcome := 'invalid_credentials';
    end if;
  end if;

  insert into app_private.login_attempts (email, user_id, outcome, ip_address)
  values (v_email, v_user.id, v_outcome, left(coalesce(nullif(login.ip, ''), current_setting('switchboard.client_ip', true)), 100));

  return query select v_outcome, case when v_outcome = 'ok' then v_user.id end,
                      case when v_outcome <> 'ok' then null
                           when v_user.role in ('admin', 'super_admin') then 'app_admin'
                           else 'app_user' end;
end
$$;
comment on function app_hidden.login(text, text, text) is
  'Checks a password and records the attempt. One row: outcome ok | invalid_credentials | locked | inactive, with the user id and database role when ok. Never raises for bad credentials, so the failure count commits. Lock-out is per (email, source) (app_private.login_throttles), the same for unknown emails; ip defaults to the switchboard.client_ip setting.';
