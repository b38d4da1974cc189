--! Previous: sha1:51707329b641736a91bd1471089b66e5d3c65b6f
--! Hash: sha1:026df75cc1cde929edeb6424d9e249fc73dfd723
--! Message: Privacy requests in the audit trail (progress updates aside); erasing a business erases its audit entries

-- =============================================================================
-- Privacy requests in the audit trail; erasing a business erases its audit entries
-- =============================================================================
-- Exports and erasures are recorded in the audit trail like every other
-- change (the request row: kind, status, counts, who and from where; never the
-- erased caller's number, which the request keeps only as a keyed hash). The
-- export job's progress updates are not audit events.
create trigger _900_audit after insert or update or delete on app_public.privacy_requests
  for each row execute function app_private.tg__audit('-progress');

-- A business's audit entries hold old and new values of its settings, agents
-- and numbers: erasing the business removes them too (before the login, whose
-- deletion would otherwise keep them with the tenant cleared). The erasure
-- itself stays on record in app_private.erased_businesses.
create or replace function app_public.erase_business(confirm_email text) returns uuid
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

  delete from app_hidden.audit_log a where a.user_id = v_user;
  -- The login last: agents, rollups, secrets and privacy requests go with it (on delete cascade).
  delete from app_public.users u where u.id = v_user;
  delete from app_hidden.rollup_deltas d where d.user_id = v_user;
  return v_id;
end
$$;
