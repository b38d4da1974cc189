--! Previous: sha1:b19ad571347cd558325dfaef3c6e96cb7a0b410d
--! Hash: sha1:95d59af614519e5c898a088d4c4d50c28cbb996d
--! Message: Inserted calls: a multi-row statement adds one summed delta row per agent, tenant-local day and hour instead of one per call

-- Inserted calls: a multi-row statement (a batch, a COPY, an import) adds one delta row per agent,
-- tenant-local day and hour it touched, summing its calls' contributions (app_hidden.sum_deltas),
-- instead of one 70-column row per call. A single-row insert (a webhook) still adds its row as is.
create or replace function app_private.tg_calls__inserted_effects() returns trigger
  language plpgsql
  security definer
as $$
begin
  if exists (select 1 from new_calls offset 1) then
    -- several calls: their contributions summed per rollup key (offset 0 keeps each sum computed once)
    insert into app_hidden.rollup_deltas
    select g.user_id, g.agent_id, g.day, g.hour, g.target, (g.m).*
      from (select d.user_id, d.agent_id, d.day, d.hour, d.target, app_hidden.sum_deltas(array_agg(d)) as m
              from new_calls n
              join app_public.users u on u.id = n.user_id
             cross join lateral app_hidden.call_contribution(n, null, u.timezone, 1) d
             group by d.user_id, d.agent_id, d.day, d.hour, d.target
            offset 0) g;
  else
    insert into app_hidden.rollup_deltas
      select d.*
        from new_calls n
        join app_public.users u on u.id = n.user_id
       cross join lateral app_hidden.call_contribution(n, null, u.timezone, 1) d;
  end if;
  insert into app_hidden.credit_charges (user_id, call_id, amount, description)
    select n.user_id, n.id, -n.credits_used, 'Call usage'
      from new_calls n
     where n.credits_used <> 0;
  insert into app_hidden.contact_count_deltas (contact_id, user_id, delta)
    select n.contact_id, n.user_id, 1
      from new_calls n
     where n.contact_id is not null and n.outcome in ('unanswered', 'failed');
  return null;
end
$$;
comment on function app_private.tg_calls__inserted_effects() is 'AFTER INSERT, once per statement: what the inserted calls cause, set-based (their rollup contribution, summed per agent, tenant-local day and hour when the statement inserted several calls; credit charges; not-connected counts).';
