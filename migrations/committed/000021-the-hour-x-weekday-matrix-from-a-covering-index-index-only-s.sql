--! Previous: sha1:b80e98f44bd10f266d2df086a91f784d77dd567d
--! Hash: sha1:d194b1a56a2570a9003ee972aa1f405c771e069a
--! Message: The hour x weekday matrix from a covering index (index-only scan instead of one heap page per hourly row)

-- =============================================================================
-- 44. The hour x weekday matrix from a covering index
-- =============================================================================
-- A tenant's rows of user_hourly_analytics lie one per page: rows are added
-- day by day for every tenant at once, and a row holds all 35 measures. The
-- matrix reads up to 720 rows (30 days x 24 hours), so it touched up to 720
-- heap pages, and more of them as a tenant's hours fill: on the 1M / 4M-call
-- bench data the overview's matrix took 184 / 427 buffer accesses, the
-- largest part of the overview's growth with volume (GraphQL at 4M served
-- 15-20% fewer requests per second than at 1M, interleaved on one server).
-- This index holds the six measures the matrix needs in (tenant, day) order,
-- so the matrix is an index-only scan over a few pages: 7 / 98 accesses. It
-- costs one more index entry per compacted hourly row (compaction is batched
-- per tenant, day and hour).
create index user_hourly_analytics_matrix_idx on app_public.user_hourly_analytics (user_id, day)
  include (hour, calls, successful_calls, unanswered_calls, failed_calls, leads_generated, hot_leads);
