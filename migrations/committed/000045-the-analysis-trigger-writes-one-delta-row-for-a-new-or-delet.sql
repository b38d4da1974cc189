--! Previous: sha1:2d186ace2dbd47586267b33e97be3193f01030ff
--! Hash: sha1:267b11a8b7722db8fa671489a2b2843574df65b7
--! Message: The analysis trigger writes one delta row for a new or deleted analysis (no all-zero other side)

-- The analysis trigger writes only the sides that exist: a new analysis adds one delta row (its
-- contribution), not two (the other all zeros); the same for a deleted analysis.
CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__rollup()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  tz    text;
  c     app_public.calls;
  old_a app_public.lead_analytics;
  new_a app_public.lead_analytics;
begin
  if tg_op = 'UPDATE' then
    -- (call, type and tenant are immutable: _010_guard_immutable)
    if (new.total_score, new.lead_status_tag, new.cta_pricing_clicked, new.cta_demo_clicked,
        new.cta_followup_clicked, new.cta_sample_clicked, new.cta_escalated_to_human,
        new.intent_score, new.urgency_score, new.budget_score, new.fit_score, new.engagement_score,
        new.demo_book_datetime is null,
        -- conversation intelligence (issue 17)
        new.sentiment_label, new.sentiment_score, new.call_quality_score, new.csat_score,
        new.human_transfer_requested, new.human_transfer_happened, new.conversation_outcome)
       is not distinct from
       (old.total_score, old.lead_status_tag, old.cta_pricing_clicked, old.cta_demo_clicked,
        old.cta_followup_clicked, old.cta_sample_clicked, old.cta_escalated_to_human,
        old.intent_score, old.urgency_score, old.budget_score, old.fit_score, old.engagement_score,
        old.demo_book_datetime is null,
        old.sentiment_label, old.sentiment_score, old.call_quality_score, old.csat_score,
        old.human_transfer_requested, old.human_transfer_happened, old.conversation_outcome) then
      return null;
    end if;
  end if;
  if coalesce(new.analysis_type, old.analysis_type) <> 'individual' then
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then old_a := old; end if;
  if tg_op in ('UPDATE', 'INSERT') then new_a := new; end if;

  -- FOR SHARE: a concurrent move of the call (agent, start) waits for this
  -- transaction, or this one waits for the move and then reads the moved call.
  select * into c from app_public.calls k where k.id = coalesce(new.call_id, old.call_id) for share;
  if not found then
    return null;  -- the call itself is being deleted; its trigger took the whole contribution
  end if;
  select u.timezone into tz from app_public.users u where u.id = c.user_id for key share;
  if tz is null then
    return null;  -- the tenant itself is being deleted
  end if;
  -- Only the analysis part changes, counted on the call's day whenever it arrives.
  -- A new analysis has no old side and a deleted one no new side: no all-zero delta row for them.
  insert into app_hidden.rollup_deltas
  select d.* from app_hidden.call_contribution(c, old_a, tz, -1, false) d where old_a.id is not null
  union all
  select d.* from app_hidden.call_contribution(c, new_a, tz, 1, false) d where new_a.id is not null;
  return null;
end
$function$;
