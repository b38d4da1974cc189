--! Previous: sha1:d05fd30c9019b8e0b2d427ec48d67c10f9f915fd
--! Hash: sha1:b80e98f44bd10f266d2df086a91f784d77dd567d
--! Message: The leaderboard's sparkline grid joins on agent and day by hash (merge joins off for agent_leaderboard)

-- =============================================================================
-- 43. The leaderboard's sparkline grid joins on (agent, day) by hash
-- =============================================================================
-- 000015 joined the agent x day grid to the daily sums on (agent, day index),
-- but the planner still chose a merge join on the agent alone (the daily sums
-- come sorted by agent; it cannot know the generated days are sorted) and
-- checked the day as a join filter: 1,989 rows compared and dropped for 150
-- kept on a 5-agent tenant. The inputs are one tenant's range (at most 366
-- days per agent), which a hash join on both keys always suits: merge joins
-- are turned off for this function. Same results; the leaderboard 1.71 -> 1.47
-- ms (median, 8 tenants interleaved, 1M calls).
alter function app_public.agent_leaderboard(date, date) set enable_mergejoin = off;
