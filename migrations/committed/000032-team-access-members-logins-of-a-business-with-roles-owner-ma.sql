--! Previous: sha1:b18c0f0b7d4e826a2c59343d92c9d8cd40eee1da
--! Hash: sha1:ebfc494f7d50ae49d5a4791a64152c0028458994
--! Message: Team access: members (logins) of a business with roles owner, manager, viewer; app_owner and app_viewer roles; invitations and one-time reset links; sign-in per login; sign-up bonus through the ledger

-- Team access (issue 14, item 4): a business (app_public.users, the tenant: jwt.claims.user_id keeps
-- meaning the business) has several logins, app_public.members, each with a role: owner, manager or
-- viewer. Roles are database roles, chosen per request from the member's CURRENT row
-- (app_hidden.authenticate_member): owner -> app_owner (or app_admin for a platform admin business),
-- manager -> app_user, viewer -> app_viewer (read-only transactions). Owner-only rights (members,
-- invitations, API keys, provider secrets, erasing the business) move from app_user to app_owner.
-- Also: the sign-up credit bonus (credits.signup_bonus) is granted through the credit ledger.

-- Roles ---------------------------------------------------------------------------------------------
do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'app_owner') then
    create role app_owner nologin;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'app_viewer') then
    create role app_viewer nologin;
  end if;
end
$$;
grant app_user to app_owner;
grant app_user to app_viewer;
grant app_owner to app_admin;
grant app_owner to app_authenticator;
grant app_viewer to app_authenticator;
comment on role app_owner is 'A business owner (member role owner): app_user plus the owner-only rights (members, invitations, API keys, provider secrets, erasing the business).';
comment on role app_viewer is 'A viewer (member role viewer): app_user''s reads; its requests run in read-only transactions (transaction_read_only), so PostgreSQL refuses every write.';

-- Members -------------------------------------------------------------------------------------------
create table app_public.members (
  id uuid primary key default uuidv7(),
  user_id uuid not null references app_public.users on delete cascade,
  email citext not null,
  name text not null,
  role text not null default 'viewer',
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_sign_in_at timestamptz,
  constraint members_email_key unique (email),
  constraint members_email_valid check (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' and char_length(email) <= 320),
  constraint members_name_length check (char_length(name) between 1 and 200),
  constraint members_role_valid check (role in ('owner', 'manager', 'viewer'))
);
create index members_user_id_idx on app_public.members (user_id);
comment on table app_public.members is 'The logins of a business (its team): each signs in with its own email and password and acts with its role (owner, manager, viewer) on the business''s data.';
comment on column app_public.members.user_id is 'The business (tenant) this login belongs to.';
comment on column app_public.members.email is 'Sign-in email; unique across all businesses.';
comment on column app_public.members.role is 'owner: everything, incl. members, API keys and provider secrets; manager: everything else; viewer: read only.';
comment on column app_public.members.last_sign_in_at is 'When this login last signed in with its password.';
alter table app_public.members enable row level security;
create policy select_own on app_public.members for select to app_user
  using (user_id = (select app_public.current_user_id()));
create policy select_all_admin on app_public.members for select to app_admin using (true);
grant select on app_public.members to app_user;

create trigger _100_timestamps before update on app_public.members
  for each row execute function app_private.tg__set_updated_at();

create table app_private.member_secrets (
  member_id uuid primary key references app_public.members on delete cascade,
  password_hash text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table app_private.member_secrets is 'Password hashes (bcrypt via pgcrypto) of the logins (members).';

-- Existing accounts: each becomes its business's owner, the founding owner's id being the business's id
-- (so a token that names only the business resolves to it), with the same email and password hash.
insert into app_public.members (id, user_id, email, name, role, is_active, created_at, last_sign_in_at)
select u.id, u.id, u.email, u.name, 'owner', true, u.created_at, s.last_login_at
  from app_public.users u
  left join app_private.user_secrets s on s.user_id = u.id;
insert into app_private.member_secrets (member_id, password_hash, created_at, updated_at)
select s.user_id, s.password_hash, s.created_at, s.updated_at from app_private.user_secrets s;
-- Audited from here on (the migration's own copies are not audit events).
-- The founding owner (id = business id) is created with the business, whose sign-up entry says it all.
create trigger _900_audit after update or delete on app_public.members
  for each row execute function app_private.tg__audit('-last_sign_in_at');
create trigger _900_audit_insert after insert on app_public.members
  for each row when (new.id <> new.user_id) execute function app_private.tg__audit('-last_sign_in_at');

drop table app_private.user_secrets;
-- Kept for code written before the move (seeds, fixtures): the founding owners' password hashes.
create view app_private.user_secrets as
  select m.user_id, s.password_hash, s.created_at, s.updated_at, m.last_sign_in_at as last_login_at
    from app_private.member_secrets s
    join app_public.members m on m.id = s.member_id
   where m.id = m.user_id;
comment on view app_private.user_secrets is 'Compatibility view: the founding owner''s password hash per business (member id = business id). Inserts and updates go to app_private.member_secrets.';

create function app_private.tg_user_secrets__write() returns trigger
  language plpgsql security definer
as $$
begin
  insert into app_private.member_secrets as s (member_id, password_hash)
  values (new.user_id, new.password_hash)
  on conflict (member_id) do update set password_hash = excluded.password_hash, updated_at = now();
  return new;
end
$$;
comment on function app_private.tg_user_secrets__write() is 'INSTEAD OF INSERT OR UPDATE on the app_private.user_secrets view: stores the founding owner''s password hash.';
create trigger _100_write instead of insert or update on app_private.user_secrets
  for each row execute function app_private.tg_user_secrets__write();

-- Every new business gets its founding owner (id = business id, same email and name).
create function app_private.tg_users__create_owner_member() returns trigger
  language plpgsql security definer
as $$
begin
  insert into app_public.members (id, user_id, email, name, role) values (new.id, new.id, new.email, new.name, 'owner');
  return null;
end
$$;
comment on function app_private.tg_users__create_owner_member() is 'AFTER INSERT on users: the business''s founding owner login (member id = business id), same email and name.';
create trigger _050_create_owner_member after insert on app_public.users
  for each row execute function app_private.tg_users__create_owner_member();

-- Invitations and one-time links ----------------------------------------------------------------------
create table app_public.invitations (
  id uuid primary key default uuidv7(),
  user_id uuid not null references app_public.users on delete cascade,
  email citext not null,
  role text not null,
  invited_by uuid references app_public.members on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint invitations_email_valid check (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' and char_length(email) <= 320),
  constraint invitations_role_valid check (role in ('owner', 'manager', 'viewer'))
);
create index invitations_user_id_idx on app_public.invitations (user_id, created_at desc);
create index invitations_invited_by_idx on app_public.invitations (invited_by) where invited_by is not null;
comment on table app_public.invitations is 'Invitations to join a business, by a one-time link (its token is shown once; only its hash is kept). Owners only.';
comment on column app_public.invitations.invited_by is 'The member who invited.';
alter table app_public.invitations enable row level security;
create policy select_own on app_public.invitations for select to app_owner
  using (user_id = (select app_public.current_user_id()));
grant select on app_public.invitations to app_owner;
create trigger _100_timestamps before update on app_public.invitations
  for each row execute function app_private.tg__set_updated_at();
create trigger _900_audit after insert or update or delete on app_public.invitations
  for each row execute function app_private.tg__audit();

create table app_private.member_links (
  token_hash bytea primary key,
  kind text not null,
  user_id uuid not null references app_public.users on delete cascade,
  invitation_id uuid references app_public.invitations on delete cascade,
  member_id uuid references app_public.members on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now(),
  constraint member_links_kind check ((kind = 'invitation' and invitation_id is not null and member_id is null)
                                      or (kind = 'password_reset' and member_id is not null and invitation_id is null))
);
create index member_links_user_id_idx on app_private.member_links (user_id);
create index member_links_invitation_id_idx on app_private.member_links (invitation_id) where invitation_id is not null;
create index member_links_member_id_idx on app_private.member_links (member_id) where member_id is not null;
comment on table app_private.member_links is 'One-time links (invitation, password reset): the SHA-256 of the token, its expiry and when it was used.';

insert into app_private.system_config (key, value, description) values
  ('team.invitation_hours', '72', 'Hours an invitation link stays valid.'),
  ('team.password_reset_hours', '24', 'Hours a password-reset link stays valid.')
on conflict (key) do nothing;

-- The signed-in member ---------------------------------------------------------------------------------
create function app_public.current_member_id() returns uuid
  language sql stable parallel safe
as $$ select nullif(pg_catalog.current_setting('jwt.claims.member_id', true), '')::uuid $$;
comment on function app_public.current_member_id() is 'The signed-in login (member) of the current request; null for API keys and anonymous requests.';
grant execute on function app_public.current_member_id() to app_user, app_anonymous;

create function app_public.current_member() returns app_public.members
  language sql stable
as $$ select m.* from app_public.members m where m.id = app_public.current_member_id() and m.user_id = app_public.current_user_id() $$;
comment on function app_public.current_member() is 'The signed-in login: name, email and role (owner, manager or viewer).';
grant execute on function app_public.current_member() to app_user;

create function app_hidden.member_db_role(member_role text, business_role text) returns text
  language sql immutable parallel safe
as $$
  select case member_role
           when 'owner' then case when business_role in ('admin', 'super_admin') then 'app_admin' else 'app_owner' end
           when 'manager' then 'app_user'
           when 'viewer' then 'app_viewer'
         end
$$;
comment on function app_hidden.member_db_role(member_role text, business_role text) is 'The database role a member acts as: owner -> app_owner (app_admin in a platform admin business), manager -> app_user, viewer -> app_viewer.';

create function app_hidden.authenticate_member(p_user_id uuid, p_member_id uuid)
  returns table (db_role text, member_role text)
  language sql stable security definer
  set search_path = pg_catalog, public, pg_temp
as $$
  select app_hidden.member_db_role(m.role, u.role), m.role
    from app_public.members m
    join app_public.users u on u.id = m.user_id
   where m.id = p_member_id and m.user_id = p_user_id and m.is_active and u.is_active
$$;
comment on function app_hidden.authenticate_member(p_user_id uuid, p_member_id uuid) is 'The current database role and member role of a signed-in login, read on every request; no row when the member was removed or deactivated, or the business is inactive.';
grant execute on function app_hidden.authenticate_member(uuid, uuid) to app_authenticator;

create function app_hidden.require_owner() returns app_public.members
  language plpgsql stable security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_member app_public.members;
begin
  perform app_hidden.require_password_session();
  select m.* into v_member from app_public.members m
   where m.id = app_public.current_member_id() and m.user_id = app_public.current_user_id() and m.is_active;
  if v_member.id is null or v_member.role <> 'owner' then
    raise exception 'Only an owner of this business can manage its members.' using errcode = '42501';
  end if;
  return v_member;
end
$$;
comment on function app_hidden.require_owner() is 'The signed-in owner (a password session of an active owner member), else 42501.';

create function app_hidden.check_new_password(password text) returns void
  language plpgsql immutable
as $$
begin
  if password is null or length(password) < 8 then
    raise exception 'password must be at least 8 characters long' using errcode = 'SB101';
  end if;
  if octet_length(password) > 72 then
    -- bcrypt only reads the first 72 bytes: refuse rather than silently truncate
    raise exception 'password must be at most 72 bytes long' using errcode = 'SB101';
  end if;
end
$$;
comment on function app_hidden.check_new_password(password text) is 'SB101 unless 8 characters to 72 bytes (bcrypt reads no more).';

create function app_hidden.new_link_token(p_prefix text) returns text
  language sql volatile
as $$ select p_prefix || translate(rtrim(encode(public.gen_random_bytes(32), 'base64'), '='), '+/', '-_') $$;
comment on function app_hidden.new_link_token(p_prefix text) is 'A random one-time link token (prefix + 43 base64url characters).';

-- Audit of password changes (member_secrets has no tenant column): one named entry, never the hash.
create function app_hidden.audit_password_change(p_user_id uuid, p_member_id uuid, p_how text) returns void
  language sql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, new_values)
  values (p_user_id, 'update', 'member_secrets', p_member_id::text,
          pg_catalog.jsonb_build_object('password_hash', '[redacted]', 'how', p_how))
$$;
comment on function app_hidden.audit_password_change(p_user_id uuid, p_member_id uuid, p_how text) is 'Records a password change of a member in the audit trail (how: changed, reset link, operator), never the hash.';

-- Sign-in: per login ---------------------------------------------------------------------------------
drop function app_hidden.login(text, text, text);
create function app_hidden.login(email text, password text, ip text default null)
  returns table (outcome text, user_id uuid, db_role text, member_id uuid, member_role text)
  language plpgsql security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_email    citext := coalesce(login.email, '');
  -- The server passes the client address; else the request's pgSetting.
  v_source   text := app_hidden.login_source(coalesce(nullif(login.ip, ''), current_setting('switchboard.client_ip', true)));
  v_member   app_public.members;
  v_business app_public.users;
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

  select m.* into v_member from app_public.members m where m.email = v_email;
  if v_member.id is not null then
    select s.password_hash into v_hash from app_private.member_secrets s where s.member_id = v_member.id;
    select u.* into v_business from app_public.users u where u.id = v_member.user_id;
  end if;

  if v_throttle.locked_until > now() then
    -- Locked for this source: no password is checked, for known and unknown emails alike.
    v_outcome := 'locked';
  elsif v_hash is not null and v_hash = crypt(coalesce(password, ''), v_hash) then
    v_outcome := case when v_member.is_active and v_business.is_active then 'ok' else 'inactive' end;
    -- A success clears this source's failures and back-off (other sources keep theirs).
    delete from app_private.login_throttles t where t.email = v_email and t.source = v_source;
    if v_outcome = 'ok' then
      update app_public.members m set last_sign_in_at = now() where m.id = v_member.id;
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
  values (v_email, v_member.user_id, v_outcome, left(coalesce(nullif(login.ip, ''), current_setting('switchboard.client_ip', true)), 100));

  return query select v_outcome,
                      case when v_outcome = 'ok' then v_member.user_id end,
                      case when v_outcome = 'ok' then app_hidden.member_db_role(v_member.role, v_business.role) end,
                      case when v_outcome = 'ok' then v_member.id end,
                      case when v_outcome = 'ok' then v_member.role end;
end
$$;
comment on function app_hidden.login(email text, password text, ip text) is 'Checks a login''s (member''s) password and records the attempt. One row: outcome ok | invalid_credentials | locked | inactive, with the business id, database role, member id and member role when ok. Never raises for bad credentials, so the failure count commits. Lock-out is per (email, source) (app_private.login_throttles), the same for unknown emails; ip defaults to the switchboard.client_ip setting.';
grant execute on function app_hidden.login(text, text, text) to app_anonymous, app_user;

-- Sign-up: the business, its owner, and the sign-up bonus through the ledger -------------------------------
create or replace function app_hidden.register_user(email text, password text, name text, timezone text default 'UTC')
  returns uuid
  language plpgsql security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user_id uuid;
  v_bonus   integer := app_hidden.config_int('credits.signup_bonus', 0);
begin
  perform app_hidden.check_new_password(password);
  begin
    -- The owner member (same id, email and name) comes from _050_create_owner_member.
    insert into app_public.users (email, name, timezone)
    values (register_user.email, register_user.name, coalesce(register_user.timezone, 'UTC'))
    returning id into v_user_id;
  exception when unique_violation then
    raise exception 'an account with this email already exists' using errcode = 'SB102';
  end;
  insert into app_private.member_secrets (member_id, password_hash)
  values (v_user_id, crypt(password, gen_salt('bf', 10)));
  if v_bonus > 0 then
    -- A ledger row like any other: counted in available_credits at once, posted by the ledger job.
    insert into app_public.credit_transactions (user_id, type, amount, description)
    values (v_user_id, 'bonus', v_bonus, 'Sign-up bonus');
  end if;
  return v_user_id;
end
$$;
comment on function app_hidden.register_user(email text, password text, name text, timezone text) is 'Creates a business, its owner login (bcrypt-hashed password) and the sign-up bonus (credits.signup_bonus) as a ledger row. SB101: password too short or long; SB102: email taken; 23514: bad email or time zone.';

-- Team management (owners) ------------------------------------------------------------------------------
create type app_public.created_invitation as (
  invitation app_public.invitations,
  token text
);
comment on type app_public.created_invitation is 'A new invitation and its one-time link token (shown once: only its hash is kept).';

create function app_public.invite_member(email text, role text) returns app_public.created_invitation
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_owner app_public.members := app_hidden.require_owner();
  v_inv   app_public.invitations;
  v_token text := app_hidden.new_link_token('sbi_');
begin
  if invite_member.role is null or invite_member.role not in ('owner', 'manager', 'viewer') then
    raise exception 'The role must be owner, manager or viewer.' using errcode = 'SB201';
  end if;
  if exists (select 1 from app_public.members m where m.email = invite_member.email::public.citext) then
    raise exception 'This email already signs in to Switchboard: each login belongs to one business.' using errcode = 'SB102';
  end if;
  -- A new invitation replaces the pending ones for the same email.
  update app_public.invitations i set revoked_at = now()
   where i.user_id = v_owner.user_id and i.email = invite_member.email::public.citext
     and i.accepted_at is null and i.revoked_at is null;
  insert into app_public.invitations (user_id, email, role, invited_by, expires_at)
  values (v_owner.user_id, invite_member.email, invite_member.role, v_owner.id,
          now() + make_interval(hours => app_hidden.config_int('team.invitation_hours', 72)))
  returning * into v_inv;
  insert into app_private.member_links (token_hash, kind, user_id, invitation_id, expires_at)
  values (public.digest(v_token, 'sha256'), 'invitation', v_owner.user_id, v_inv.id, v_inv.expires_at);
  return row(v_inv, v_token)::app_public.created_invitation;
end
$$;
comment on function app_public.invite_member(email text, role text) is 'Invites someone to this business with a role (owner, manager, viewer). Returns the invitation and its one-time link token, shown once. Owners only.';
grant execute on function app_public.invite_member(text, text) to app_owner;

create function app_public.revoke_invitation(invitation_id uuid) returns app_public.invitations
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_owner app_public.members := app_hidden.require_owner();
  v_inv   app_public.invitations;
begin
  update app_public.invitations i set revoked_at = now()
   where i.id = revoke_invitation.invitation_id and i.user_id = v_owner.user_id
     and i.accepted_at is null and i.revoked_at is null
  returning * into v_inv;
  if v_inv.id is null then
    raise exception 'No pending invitation with this id.' using errcode = 'SB104';
  end if;
  return v_inv;
end
$$;
comment on function app_public.revoke_invitation(invitation_id uuid) is 'Cancels a pending invitation (its link stops working). Owners only.';
grant execute on function app_public.revoke_invitation(uuid) to app_owner;

create function app_hidden.guard_last_owner(p_user_id uuid, p_member_id uuid) returns void
  language plpgsql volatile
as $$
begin
  -- Owners of the business, locked so two concurrent demotions cannot both pass.
  perform 1 from app_public.members m where m.user_id = p_user_id and m.role = 'owner' and m.is_active for update;
  if not exists (select 1 from app_public.members m
                  where m.user_id = p_user_id and m.role = 'owner' and m.is_active and m.id <> p_member_id) then
    raise exception 'A business needs at least one owner: make another member owner first.' using errcode = 'SB203';
  end if;
end
$$;
comment on function app_hidden.guard_last_owner(p_user_id uuid, p_member_id uuid) is 'SB203 when the member is the business''s last active owner (rows locked for the check).';

create function app_public.set_member_role(member_id uuid, role text) returns app_public.members
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_owner  app_public.members := app_hidden.require_owner();
  v_member app_public.members;
begin
  if set_member_role.role is null or set_member_role.role not in ('owner', 'manager', 'viewer') then
    raise exception 'The role must be owner, manager or viewer.' using errcode = 'SB201';
  end if;
  select m.* into v_member from app_public.members m
   where m.id = set_member_role.member_id and m.user_id = v_owner.user_id;
  if v_member.id is null then
    raise exception 'No member with this id in your business.' using errcode = 'SB104';
  end if;
  if v_member.role = 'owner' and set_member_role.role <> 'owner' then
    perform app_hidden.guard_last_owner(v_owner.user_id, v_member.id);
  end if;
  update app_public.members m set role = set_member_role.role where m.id = v_member.id returning * into v_member;
  return v_member;
end
$$;
comment on function app_public.set_member_role(member_id uuid, role text) is 'Changes a member''s role (applies to its very next request). The last owner cannot be demoted. Owners only.';
grant execute on function app_public.set_member_role(uuid, text) to app_owner;

create function app_public.remove_member(member_id uuid) returns app_public.members
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_owner  app_public.members := app_hidden.require_owner();
  v_member app_public.members;
begin
  select m.* into v_member from app_public.members m
   where m.id = remove_member.member_id and m.user_id = v_owner.user_id;
  if v_member.id is null then
    raise exception 'No member with this id in your business.' using errcode = 'SB104';
  end if;
  if v_member.role = 'owner' then
    perform app_hidden.guard_last_owner(v_owner.user_id, v_member.id);
  end if;
  delete from app_public.members m where m.id = v_member.id;
  return v_member;
end
$$;
comment on function app_public.remove_member(member_id uuid) is 'Removes a member: its login is deleted and its tokens stop working at once. The last owner cannot be removed. Owners only.';
grant execute on function app_public.remove_member(uuid) to app_owner;

create function app_public.issue_password_reset(member_id uuid) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_owner  app_public.members := app_hidden.require_owner();
begin
  if not exists (select 1 from app_public.members m where m.id = issue_password_reset.member_id and m.user_id = v_owner.user_id) then
    raise exception 'No member with this id in your business.' using errcode = 'SB104';
  end if;
  return app_hidden.password_reset_token(issue_password_reset.member_id);
end
$$;

create function app_hidden.password_reset_token(p_member_id uuid) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_member app_public.members;
  v_token  text := app_hidden.new_link_token('sbr_');
begin
  select m.* into v_member from app_public.members m where m.id = p_member_id;
  if v_member.id is null then
    raise exception 'No such member.' using errcode = 'SB104';
  end if;
  -- Earlier unused reset links of this member stop working.
  update app_private.member_links l set used_at = now()
   where l.member_id = v_member.id and l.kind = 'password_reset' and l.used_at is null;
  insert into app_private.member_links (token_hash, kind, user_id, member_id, expires_at)
  values (public.digest(v_token, 'sha256'), 'password_reset', v_member.user_id, v_member.id,
          now() + make_interval(hours => app_hidden.config_int('team.password_reset_hours', 24)));
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, new_values)
  values (v_member.user_id, 'insert', 'password_reset_links', v_member.id::text,
          pg_catalog.jsonb_build_object('member_id', v_member.id, 'email', v_member.email));
  return v_token;
end
$$;
comment on function app_hidden.password_reset_token(p_member_id uuid) is 'A new one-time password-reset link token for a member (earlier unused ones stop working), audit-logged. Used by issue_password_reset (owners) and the operator''s npm run password-reset.';
comment on function app_public.issue_password_reset(member_id uuid) is 'A one-time password-reset link token for a member of this business (shown once; expires). Owners only.';
grant execute on function app_public.issue_password_reset(uuid) to app_owner;

-- Links used signed out -----------------------------------------------------------------------------------
create function app_hidden.consume_link(p_token text, p_kind text) returns app_private.member_links
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_link app_private.member_links;
begin
  update app_private.member_links l set used_at = now()
   where l.token_hash = public.digest(coalesce(p_token, ''), 'sha256') and l.kind = p_kind
     and l.used_at is null and l.expires_at > now()
  returning * into v_link;
  if v_link.token_hash is null then
    raise exception 'This link is invalid, expired or already used: ask for a new one.' using errcode = 'SB202';
  end if;
  return v_link;
end
$$;
comment on function app_hidden.consume_link(p_token text, p_kind text) is 'Marks a one-time link used and returns it; SB202 when it is unknown, expired or used.';

create function app_hidden.accept_invitation(token text, name text, password text)
  returns table (user_id uuid, member_id uuid, db_role text, member_role text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_link   app_private.member_links;
  v_inv    app_public.invitations;
  v_member app_public.members;
begin
  perform app_hidden.check_new_password(password);
  v_link := app_hidden.consume_link(token, 'invitation');
  update app_public.invitations i set accepted_at = now()
   where i.id = v_link.invitation_id and i.accepted_at is null and i.revoked_at is null
  returning * into v_inv;
  if v_inv.id is null then
    raise exception 'This link is invalid, expired or already used: ask for a new one.' using errcode = 'SB202';
  end if;
  begin
    insert into app_public.members (user_id, email, name, role, last_sign_in_at)
    values (v_inv.user_id, v_inv.email, accept_invitation.name, v_inv.role, now())
    returning * into v_member;
  exception when unique_violation then
    raise exception 'This email already signs in to Switchboard: each login belongs to one business.' using errcode = 'SB102';
  end;
  insert into app_private.member_secrets (member_id, password_hash) values (v_member.id, crypt(password, gen_salt('bf', 10)));
  return query select v_member.user_id, v_member.id,
                      app_hidden.member_db_role(v_member.role, u.role), v_member.role
                 from app_public.users u where u.id = v_member.user_id;
end
$$;
comment on function app_hidden.accept_invitation(token text, name text, password text) is 'Accepts an invitation link (once): creates the login with its name and password and returns what signing in needs. SB202: link invalid, expired or used; SB101: weak password; SB102: email already a login.';
grant execute on function app_hidden.accept_invitation(text, text, text) to app_anonymous;

create function app_hidden.reset_password(token text, password text)
  returns table (user_id uuid, member_id uuid, db_role text, member_role text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_link app_private.member_links;
begin
  perform app_hidden.check_new_password(password);
  v_link := app_hidden.consume_link(token, 'password_reset');
  update app_private.member_secrets s set password_hash = crypt(password, gen_salt('bf', 10)), updated_at = now()
   where s.member_id = v_link.member_id;
  if not found then
    insert into app_private.member_secrets (member_id, password_hash) values (v_link.member_id, crypt(password, gen_salt('bf', 10)));
  end if;
  perform app_hidden.audit_password_change(v_link.user_id, v_link.member_id, 'reset link');
  update app_public.members m set last_sign_in_at = now() where m.id = v_link.member_id;
  return query select m.user_id, m.id, app_hidden.member_db_role(m.role, u.role), m.role
                 from app_public.members m join app_public.users u on u.id = m.user_id
                where m.id = v_link.member_id and m.is_active and u.is_active;
end
$$;
comment on function app_hidden.reset_password(token text, password text) is 'Sets a new password with a reset link (once) and returns what signing in needs (no row if the login is inactive). SB202: link invalid, expired or used; SB101: weak password.';
grant execute on function app_hidden.reset_password(text, text) to app_anonymous;

-- Runs as app_authenticator (the server passes the verified member): a viewer's request is read-only.
create function app_hidden.change_member_password(p_user_id uuid, p_member_id uuid, current_password text, new_password text)
  returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_hash text;
begin
  select s.password_hash into v_hash
    from app_private.member_secrets s join app_public.members m on m.id = s.member_id
   where m.id = p_member_id and m.user_id = p_user_id and m.is_active
     for update of s;
  if v_hash is null or v_hash <> crypt(coalesce(current_password, ''), v_hash) then
    raise exception 'The current password is not correct.' using errcode = 'SB204';
  end if;
  perform app_hidden.check_new_password(new_password);
  update app_private.member_secrets s set password_hash = crypt(new_password, gen_salt('bf', 10)), updated_at = now()
   where s.member_id = p_member_id;
  perform app_hidden.audit_password_change(p_user_id, p_member_id, 'changed');
end
$$;
comment on function app_hidden.change_member_password(p_user_id uuid, p_member_id uuid, current_password text, new_password text) is 'A member changes its own password (the current one is required: SB204). Called by the server for the verified signed-in member.';
grant execute on function app_hidden.change_member_password(uuid, uuid, text, text) to app_authenticator;

-- Owner-only rights: from app_user to app_owner ------------------------------------------------------------
revoke execute on function app_public.create_api_key(text, text[], timestamptz) from app_user;
grant execute on function app_public.create_api_key(text, text[], timestamptz) to app_owner;
revoke execute on function app_public.revoke_api_key(uuid) from app_user;
grant execute on function app_public.revoke_api_key(uuid) to app_owner;
revoke select on app_public.api_keys from app_user;
grant select on app_public.api_keys to app_owner;
revoke execute on function app_hidden.store_provider_secret(text, bytea, text, boolean) from app_user;
grant execute on function app_hidden.store_provider_secret(text, bytea, text, boolean) to app_owner;
revoke execute on function app_public.rotate_bolna_ingest_token() from app_user;
grant execute on function app_public.rotate_bolna_ingest_token() to app_owner;
revoke execute on function app_public.erase_business(text) from app_user;
grant execute on function app_public.erase_business(text) to app_owner;

-- The audit trail is read by owners (it records membership changes, keys and secrets).
create or replace function app_hidden.audit_log_tenant() returns uuid
  language sql stable parallel safe
as $$
  select app_public.current_user_id() where pg_catalog.pg_has_role(current_user, 'app_owner', 'usage')
$$;
comment on function app_hidden.audit_log_tenant() is 'The tenant whose audit log the caller may read: the signed-in business, for its owners (app_owner, admins included); none for managers and viewers.';

-- Who made a change: owners and viewers are users too; the login is recorded.
create or replace function app_hidden.request_actor() returns text
  language sql stable parallel safe
as $$
  select case
           when pg_catalog.current_setting('role', true) in ('app_user', 'app_owner', 'app_viewer') then
             case when nullif(pg_catalog.current_setting('jwt.claims.api_key_id', true), '') is null then 'user' else 'api_key' end
           when pg_catalog.current_setting('role', true) = 'app_admin' then 'admin'
           when pg_catalog.current_setting('role', true) = 'app_anonymous' then 'anonymous'
           else 'system'
         end
$$;
comment on function app_hidden.request_actor() is 'What kind of caller makes the current change: user (password session of any member role), api_key, admin, anonymous (sign-up, invitations, reset links) or system (worker, webhooks, migrations). Reads the role setting, so it is right inside security definer functions too.';

alter table app_hidden.audit_log
  add column member_id uuid default nullif(pg_catalog.current_setting('jwt.claims.member_id', true), '')::uuid;
comment on column app_hidden.audit_log.member_id is 'The login (member) who made the change, for password sessions.';

-- API keys: created by owners, they keep acting as before (app_owner; app_admin in an admin business).
create or replace function app_hidden.authenticate_api_key(key text)
  returns table (api_key_id uuid, user_id uuid, db_role text, scopes text[])
  language plpgsql security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  m      text[] := regexp_match(key, '^sbk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$');
  v_key  app_public.api_keys;
  v_role text;
begin
  if m is null then
    return;
  end if;
  select k.* into v_key
    from app_public.api_keys k
    join app_private.api_key_secrets s on s.api_key_id = k.id
   where k.key_prefix = m[1]
     and s.key_hash = sha256(convert_to(key, 'UTF8'))
     and k.revoked_at is null
     and (k.expires_at is null or k.expires_at > now());
  if v_key.id is null then
    return;
  end if;
  select app_hidden.member_db_role('owner', u.role) into v_role
    from app_public.users u where u.id = v_key.user_id and u.is_active;
  if v_role is null then
    return;
  end if;
  -- At most one write per key and minute, so a busy key does not queue on its row.
  if v_key.last_used_at is null or v_key.last_used_at < now() - interval '1 minute' then
    update app_public.api_keys k set last_used_at = now() where k.id = v_key.id;
  end if;
  return query select v_key.id, v_key.user_id, v_role, v_key.scopes;
end
$$;
comment on function app_hidden.authenticate_api_key(key text) is 'The key''s tenant, database role (app_owner, or app_admin in a platform admin business: keys are created by owners) and scopes; no row when the key is malformed, unknown, revoked or expired, or the tenant inactive. Stamps last_used_at.';
