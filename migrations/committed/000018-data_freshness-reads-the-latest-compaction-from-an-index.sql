--! Previous: sha1:2ffd08ddca865ddb41092cd8e4f62528c5d6d172
--! Hash: sha1:af7abaecfa22b4594c730257ea665ac325234b93
--! Message: data_freshness reads the latest compaction from an index

-- =============================================================================
-- 41. data_freshness() reads the latest compaction from an index
-- =============================================================================
-- max(compacted_at) scanned the whole compaction log (one row per compaction
-- run, up to one a second); retention bounds the log, but the overview asks
-- this on every page view.
create index rollup_compaction_log_compacted_at_idx on app_private.rollup_compaction_log (compacted_at);
