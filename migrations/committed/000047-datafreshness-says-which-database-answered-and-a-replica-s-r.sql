--! Previous: sha1:720ea829b9fa67f64dc99c3278078c92010ae931
--! Hash: sha1:d42232a70be07d745577417cf3e986e9a13fe59a
--! Message: dataFreshness says which database answered and a replica's replay lag

-- Read replica (issue 18, item 5): dataFreshness says which database answered and how far a
-- streaming replica's data is behind. Read-only GraphQL requests may run on a replica
-- (GRAPHQL_READ_DATABASE_URL); the same function runs there, so the figures describe the
-- database that answered the request.
alter type app_public.data_freshness
  add attribute answered_by text,
  add attribute replica_replay_lag_seconds double precision,
  add attribute replica_replay_lag_bytes bigint;

comment on column app_public.data_freshness.answered_by is
  'Which database answered this request: primary (the read-write database) or replica (a streaming replica, with GRAPHQL_READ_DATABASE_URL set; read-only requests only). A replica never answers a tenant with data older than its own last write (the server falls back to the primary when the replica is behind).';
comment on column app_public.data_freshness.replica_replay_lag_seconds is
  'When a replica answered: how old its data is, in seconds: the time since the last transaction it replayed committed on the primary, 0 when it has replayed every change it received. Null when the primary answered (its data is current).';
comment on column app_public.data_freshness.replica_replay_lag_bytes is
  'When a replica answered: bytes of write-ahead log it has received from the primary but not yet replayed (changes on their way to these figures). Null when the primary answered.';

create or replace function app_public.data_freshness() returns app_public.data_freshness
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select now(),
         (select max(a.updated_at) from app_public.user_analytics a where a.user_id = app_public.current_user_id()),
         (select count(*) from app_hidden.rollup_deltas d where d.user_id = app_public.current_user_id()),
         (select max(l.started_at) from app_private.mv_refresh_log l where l.view_name = 'user_kpi_summary'),
         (select max(c.started_at) from app_public.calls c where c.user_id = app_public.current_user_id()),
         case when pg_is_in_recovery() then 'replica' else 'primary' end,
         case when not pg_is_in_recovery() then null
              when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
              else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()))::double precision end,
         case when pg_is_in_recovery()
              then greatest(0, coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0))::bigint end
$$;
comment on function app_public.data_freshness() is
  'When the signed-in tenant''s rollups were last compacted and the KPI summary last refreshed, the tenant''s not-yet-compacted changes and its latest call; which database answered (primary or replica) and, on a replica, how far behind the primary it is.';
