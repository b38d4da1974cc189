--! Previous: sha1:267b11a8b7722db8fa671489a2b2843574df65b7
--! Hash: sha1:720ea829b9fa67f64dc99c3278078c92010ae931
--! Message: The complete analysis of a number in one statement: contact_analysis_fingerprint (one definition) and record_contact_analysis_if (lock, check, write)

-- The complete analysis of a number is written in one statement instead of five (begin, lock, check,
-- write, commit: four round trips saved per analysis job); the fingerprint of a number's analysed
-- calls gets one definition in SQL, read by the worker before it analyses and checked here under the lock.
create or replace function app_hidden.contact_analysis_fingerprint(p_user_id uuid, p_phone text)
  returns text
  language sql stable
as $$
  select coalesce(md5(string_agg(x.id::text || ':' || md5(x.content), ',' order by x.id)), '')
    from (select c.id, t.content
            from app_public.calls c
            join app_public.transcripts t on t.call_id = c.id
            join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
           where c.user_id = p_user_id and c.phone_number = p_phone) x
$$;
comment on function app_hidden.contact_analysis_fingerprint(uuid, text) is 'Identity of the set of analysed calls of a tenant''s number (ids and transcript texts): changes whenever a call of the number is analysed, removed or its transcript changes. The complete analysis is written only if it is still the set it was made from.';

create or replace function app_hidden.record_contact_analysis_if(
  p_user_id uuid, p_phone text, p_fingerprint text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text
) returns boolean
  language plpgsql
  volatile
as $$
begin
  -- One writer per number at a time; the check below runs after the lock (a volatile function's
  -- statements each take a new snapshot), so it sees every analysis committed before it.
  perform pg_advisory_xact_lock(hashtextextended('switchboard:contact-analysis:' || p_user_id::text || ':' || p_phone, 0));
  if app_hidden.contact_analysis_fingerprint(p_user_id, p_phone) is distinct from p_fingerprint then
    return false;
  end if;
  perform app_hidden.record_contact_analysis(p_user_id, p_phone, p_analysis, p_analyzer, p_model, p_prompt_version);
  return true;
end
$$;
comment on function app_hidden.record_contact_analysis_if(uuid, text, text, jsonb, text, text, text) is 'Writes the complete analysis of a tenant''s number (app_hidden.record_contact_analysis) only if its analysed calls are still the set with p_fingerprint (app_hidden.contact_analysis_fingerprint), checked under a per-number lock, in the caller''s one statement. False (nothing written) when the set changed: analyse again.';
