--! Previous: sha1:1ae4ae263bb963c732b777fad9e881b60d23bbb4
--! Hash: sha1:9bc282d97bd984d35051a3343b1be90e7d4a816a
--! Message: Index for the retention override foreign key

-- =============================================================================
-- 39. Follow-ups to the ingest migration
-- =============================================================================
create index tenant_retention_data_type_idx on app_private.tenant_retention (data_type);
