--! Previous: sha1:22b4dd0552200aa97debc7a799aaff2c7a9dbd44
--! Hash: sha1:b19ad571347cd558325dfaef3c6e96cb7a0b410d
--! Message: The tenant's hour x weekday matrix from user_hourly_analytics' primary key, which INCLUDEs its six measures (one self-cleaning index instead of a never-looked-up covering index that bloated under compaction)

-- The tenant's hour x weekday matrix from the primary key of user_hourly_analytics (issue 18, item 6).
--
-- Compaction updates a tenant's current hourly rows again and again (an upsert per batch of
-- deltas). user_hourly_analytics_matrix_idx (migration 000021) INCLUDEd the six measures the
-- matrix reads, so no update was HOT (an indexed column changes every time) and every update
-- added one more entry to it and to the primary key. The primary key's old entries are cleaned
-- as it goes: the upsert's uniqueness check visits the key's entries and marks the dead ones,
-- and a full page drops them before splitting. Nothing ever looked up the matrix index by its
-- key (user_id, day), so its dead entries stayed until VACUUM, pages split under them, and the
-- emptied pages were never merged: after 2,160 compaction rounds (bench/rollup-index.ts) it
-- held 609 pages at 25% leaf density for 14,404 rows (4 times the pages its rows need).
--
-- One index instead of two: the primary key INCLUDEs the measures, as agent_hourly_analytics'
-- does (migration 000031). The matrix stays an index-only scan, every compaction writes one
-- index entry instead of two, and the uniqueness check keeps the index clean.
drop index if exists app_public.user_hourly_analytics_matrix_idx;
alter table app_public.user_hourly_analytics
  drop constraint user_hourly_analytics_pkey,
  add constraint user_hourly_analytics_pkey primary key (user_id, day, hour)
    include (calls, successful_calls, unanswered_calls, failed_calls, leads_generated, hot_leads);
