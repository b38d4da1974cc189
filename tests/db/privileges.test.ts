/**
 * Privileges, row-level security and foreign-key indexes, read from the catalog.
 * Every grant to an application role is listed below: a new grant has to be
 * added here on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';

const APP_SCHEMAS = ['public', 'app_public', 'app_hidden', 'app_private'];
const APP_ROLES = ['app_anonymous', 'app_user', 'app_owner', 'app_viewer', 'app_admin', 'app_authenticator'];

/**
 * Direct grants to the application roles (inherited ones are not repeated), one
 * line per object, privilege set and grantee. Extension functions are left out
 * (see "extension functions" below).
 */
const EXPECTED_GRANTS = [
  // Outcomes and cost (issue 17 items 2, 3, 8): dispositions, who hung up, cost and CTA rates.
  'function app_hidden.call_disposition(text,integer,boolean): execute to app_user',
  'function app_hidden.hangup_side(text,text): execute to app_user',
  'function app_hidden.time_to_answer_seconds(bigint,bigint): execute to app_user',
  'function app_hidden.cost_cents(bigint,bigint): execute to app_user',
  'function app_hidden.cost_per(bigint,bigint,bigint,bigint): execute to app_user',
  'function app_hidden.cta_call_conversion_rate(bigint,bigint): execute to app_user',
  // Conversation intelligence (issue 17, helper "analysis"): taxonomy, success criteria and their readers.
  'column app_public.analysis_topics: insert (description, key, keywords, label, user_id) to app_user',
  'column app_public.analysis_topics: update (description, keywords, label) to app_user',
  'column app_public.success_criteria: insert (is_active, keywords, name, question, user_id) to app_user',
  'column app_public.success_criteria: update (is_active, keywords, name, question) to app_user',
  'function app_hidden.conversation_summary_of(app_hidden.measures): execute to app_user',
  'function app_hidden.objection_label(text): execute to app_user',
  'function app_public.conversation_outcomes(date,date,uuid): execute to app_user',
  'function app_public.conversation_summary(date,date,uuid): execute to app_user',
  'function app_public.conversation_topics(text,date,date,uuid,integer): execute to app_user',
  'function app_public.conversation_trend(date,date,uuid): execute to app_user',
  'function app_public.success_criteria_pass_rates(date,date,uuid): execute to app_user',
  'table app_public.analysis_topics: delete, select to app_user',
  'table app_public.call_criterion_results: select to app_user',
  'table app_public.success_criteria: delete, select to app_user',
  // Score history and re-scoring runs (issue 17, item 5): reads, the estimate, start and cancel (managers may; viewers are read-only).
  'function app_hidden.config_numeric(text,numeric): execute to app_user',
  'function app_hidden.rescoring_scope(uuid,text,date,date): execute to app_user',
  'function app_public.analysis_prompt_versions(date,date): execute to app_user',
  'function app_public.cancel_rescoring(uuid): execute to app_user',
  'function app_public.compare_analysis_versions(text,text,date,date): execute to app_user',
  'function app_public.contact_score_history(uuid): execute to app_user',
  'function app_public.estimate_rescoring(date,date): execute to app_user',
  'function app_public.start_rescoring(date,date): execute to app_user',
  'table app_public.analysis_versions: select to app_user',
  'table app_public.rescoring_runs: select to app_user',
  // Settings pages (agents and numbers, targets with pacing, account, usage alert thresholds).
  'column app_public.usage_alert_thresholds: insert (threshold_percent, user_id) to app_user',
  'column app_public.usage_alert_thresholds: update (threshold_percent) to app_user',
  'function app_hidden.normalize_phone(text): execute to app_user',
  'function app_hidden.require_e164(text): execute to app_user',
  'function app_public.agents_has_history(app_public.agents): execute to app_user',
  'function app_public.agents_phone_number(app_public.agents): execute to app_user',
  'function app_public.default_usage_alert_thresholds(): execute to app_user',
  'function app_public.remove_usage_alert_threshold(uuid): execute to app_user',
  'function app_public.save_agent(uuid,text,text,text,text): execute to app_user',
  'function app_public.save_usage_alert_threshold(uuid,integer): execute to app_user',
  'function app_public.set_agent_active(uuid,boolean): execute to app_user',
  'function app_public.set_agent_target(uuid,text,date,text,numeric): execute to app_user',
  'function app_public.set_alert_phone(text): execute to app_user',
  'function app_public.set_analysis_prompts(text,text): execute to app_user',
  'function app_public.set_business_profile(text,text): execute to app_user',
  'function app_public.target_pacing(uuid,timestamp with time zone): execute to app_user',
  'table app_public.usage_alert_thresholds: delete, select to app_user',
  // Team access (members, invitations, one-time links; owner-only rights on app_owner).
  'function app_hidden.accept_invitation(text,text,text): execute to app_anonymous',
  'function app_hidden.authenticate_member(uuid,uuid): execute to app_authenticator',
  'function app_hidden.change_member_password(uuid,uuid,text,text): execute to app_authenticator',
  'function app_hidden.reset_password(text,text): execute to app_anonymous',
  'function app_hidden.store_provider_secret(text,bytea,text,boolean): execute to app_owner',
  'function app_public.create_api_key(text,text[],timestamp with time zone): execute to app_owner',
  'function app_public.current_member(): execute to app_user',
  'function app_public.current_member_id(): execute to app_anonymous',
  'function app_public.current_member_id(): execute to app_user',
  'function app_public.erase_business(text): execute to app_owner',
  'function app_public.invite_member(text,text): execute to app_owner',
  'function app_public.issue_password_reset(uuid): execute to app_owner',
  'function app_public.remove_member(uuid): execute to app_owner',
  'function app_public.revoke_api_key(uuid): execute to app_owner',
  'function app_public.revoke_invitation(uuid): execute to app_owner',
  'function app_public.rotate_bolna_ingest_token(): execute to app_owner',
  'function app_public.set_member_role(uuid,text): execute to app_owner',
  'table app_public.api_keys: select to app_owner',
  'table app_public.invitations: select to app_owner',
  'table app_public.members: select to app_user',
  // The call log and its drill-down (migration: call log; security invoker, RLS applies).
  'function app_hidden.call_contribution(app_public.calls,app_public.lead_analytics,text,bigint,boolean): execute to app_user',
  'function app_hidden.call_log_export(date,date,uuid,text[],text[],text[],text[],text[],text[],integer,integer,integer,integer,boolean,boolean,boolean,text,text,integer,integer,text,boolean): execute to app_user',
  'function app_hidden.call_log_filtered(uuid,text,timestamp with time zone,timestamp with time zone,uuid,text[],text[],text[],text[],text[],text[],integer,integer,integer,integer,boolean,boolean,boolean,text,text,integer,integer,text): execute to app_user',
  'function app_hidden.call_log_matches(uuid,text,timestamp with time zone,timestamp with time zone,uuid,text[],text[],text[],text[],text[],text[],integer,integer,integer,integer,boolean,boolean,boolean,text,text,integer,integer,text): execute to app_user',
  'function app_hidden.call_log_params(date,date,text[],text[],text[],text[],text[],text[],integer,integer,integer,integer,text,text,integer,integer,text,text): execute to app_user',
  'function app_hidden.drilldown_figures(): execute to app_user',
  'function app_hidden.figure_calls(text,app_hidden.rollup_deltas): execute to app_user',
  'function app_public.call_log(date,date,uuid,text[],text[],text[],text[],text[],text[],integer,integer,integer,integer,boolean,boolean,boolean,text,text,integer,integer,text,boolean,text,integer,boolean): execute to app_user',
  'function app_hidden.audit_log_tenant(): execute to app_user',
  'function app_public.audit_entries(text,text,uuid): execute to app_user',
  'table app_hidden.audit_log: select to app_user',
  // Sign-up, onboarding and admin (issue 14): test calls, the checklist, the operator's read-only view.
  'function app_hidden.ingest_test_delivery(jsonb): execute to app_user',
  'function app_public.remove_test_calls(): execute to app_user',
  'function app_public.onboarding_status(): execute to app_user',
  'function app_public.admin_tenant_summaries(): execute to app_user',
  'function app_public.start_tenant_view(uuid): execute to app_admin',
  'function app_hidden.tenant_view_allowed(uuid,uuid): execute to app_authenticator',
  'function app_hidden.require_password_session(): execute to app_user',
  'function app_public.ingest_settings(): execute to app_user',
  'table app_public.usage_alerts: select to app_user',
  // Providers page: delivery status, failed deliveries and their replay (the tenant's own, security definer).
  'function app_public.provider_delivery_summaries(): execute to app_user',
  'function app_public.failed_deliveries(text,integer): execute to app_user',
  'function app_public.replay_failed_deliveries(text,text[]): execute to app_user',
  // Privacy requests (exports, erasures) and retention settings.
  'table app_public.privacy_requests: select to app_user',
  'function app_public.request_data_export(): execute to app_user',
  'function app_public.erase_contact(text,uuid): execute to app_user',
  'function app_public.retention_settings(): execute to app_user',
  'function app_public.set_retention(text,integer): execute to app_user',
  'function app_hidden.export_archive(uuid): execute to app_user',
  'function app_hidden.export_archive_chunk(uuid,integer): execute to app_user',
  'function app_hidden.privacy_request_origin(): execute to app_user',
  'function app_hidden.normalize_api_key_scopes(text[]): execute to app_user',
  'function app_hidden.call_source_rows(app_hidden.measures): execute to app_user',
  'function app_hidden.cta_funnel_rows(app_hidden.measures): execute to app_user',
  'function app_hidden.lead_temperature_rows(app_hidden.measures): execute to app_user',
  'function app_public.agent_overview(uuid,date,date): execute to app_user',
  'function app_public.dashboard_overview(date,date,uuid): execute to app_user',
  'function app_public.contact_overview(uuid): execute to app_user',
  'function app_public.kpi_definitions(): execute to app_user',
  'function app_hidden.agent_day_measures(uuid,date,date): execute to app_user',
  'function app_hidden.agent_measures(uuid,date,date): execute to app_user',
  'function app_hidden.authenticate_api_key(text): execute to app_authenticator',
  'function app_hidden.hour_cells(uuid,date,date,uuid): execute to app_user',
  'function app_hidden.hour_matrix(uuid,date,date,uuid): execute to app_user',
  'function app_hidden.lead_filter_check(text,integer,integer): execute to app_user',
  'function app_hidden.lead_rows(uuid,date,date,uuid,text,boolean,integer,integer): execute to app_user',
  'function app_hidden.kpi_changes(app_public.kpi_figures,app_public.kpi_figures): execute to app_user',
  'function app_hidden.kpi_figures(app_hidden.measures): execute to app_user',
  'function app_hidden.kpi_range(date,date,integer): execute to app_user',
  'function app_hidden.login(text,text,text): execute to app_anonymous',
  'function app_hidden.login(text,text,text): execute to app_user',
  'function app_hidden.measures_by_bucket(uuid,date,date,uuid,text): execute to app_user',
  'function app_hidden.range_measures(uuid,date,date,uuid): execute to app_user',
  'function app_hidden.register_user(text,text,text,text): execute to app_anonymous',
  'function app_hidden.register_user(text,text,text,text): execute to app_user',
  'function app_hidden.relative_change(numeric,numeric): execute to app_user',
  'function app_hidden.sum_measures(app_hidden.measures[]): execute to app_user',
  'function app_hidden.zero_measures(): execute to app_user',
  'function app_public.agent_leaderboard(date,date): execute to app_user',
  'function app_public.call_source_breakdown(date,date,uuid): execute to app_user',
  'function app_public.cancel_follow_up(uuid,text): execute to app_user',
  'function app_public.complete_follow_up(uuid,text): execute to app_user',
  'function app_public.cta_funnel(date,date,uuid): execute to app_user',
  'function app_public.current_tenant(): execute to app_user',
  'function app_public.data_freshness(): execute to app_user',
  'function app_public.kpi_hourly_matrix(date,date,uuid): execute to app_user',
  'function app_public.leads_page(date,date,uuid,text,boolean,integer,integer,text,integer): execute to app_user',
  'function app_public.mark_leads_read(date,date,uuid,text,integer,integer): execute to app_user',
  'function app_public.kpi_series(date,date,app_public.kpi_granularity,uuid): execute to app_user',
  'function app_public.kpi_summary(date,date,uuid): execute to app_user',
  'function app_public.lead_temperature(date,date,uuid): execute to app_user',
  'function app_public.mark_all_notifications_read(): execute to app_user',
  'function app_public.mark_notification_read(uuid,boolean): execute to app_user',
  // the call page (deliveries and queued time read app_private for the signed-in business only; retry queues a job)
  'function app_public.calls_deliveries(app_public.calls): execute to app_user',
  'function app_public.calls_queued_at(app_public.calls): execute to app_user',
  'function app_public.retry_call_analysis(uuid): execute to app_user',
  'function app_public.targets_vs_actuals(date,date,uuid): execute to app_user',
  'schema app_hidden: usage to app_authenticator',
  'column app_public.agent_targets: insert (agent_id, period_start, period_type, target_calls, target_conversion_rate, target_leads, target_qualified_leads, target_success_rate, target_successful_calls, user_id) to app_user',
  'column app_public.agent_targets: update (target_calls, target_conversion_rate, target_leads, target_qualified_leads, target_success_rate, target_successful_calls) to app_user',
  'column app_public.agents: insert (agent_type, config, description, is_active, name, provider, provider_agent_id, user_id) to app_user',
  'column app_public.agents: update (agent_type, config, description, is_active, name) to app_user',
  'column app_public.contacts: insert (company, email, is_customer, name, notes, phone_number, user_id) to app_user',
  'column app_public.contacts: update (company, email, is_customer, name, notes) to app_user',
  'column app_public.customers: insert (assigned_sales_rep, company, contact_id, conversion_date, email, last_interaction_date, name, notes, original_lead_source, phone, status, user_id) to app_user',
  'column app_public.customers: update (assigned_sales_rep, company, email, last_interaction_date, name, notes, original_lead_source, phone, status) to app_user',
  'column app_public.follow_ups: insert (contact_id, follow_up_date, lead_email, lead_name, lead_phone, remark, user_id) to app_user',
  // completed_at / completed_by are stamped by _150_stamp_completion, never written by the client.
  'column app_public.follow_ups: update (follow_up_date, lead_email, lead_name, remark, status) to app_user',
  'column app_public.lead_analytics: update (is_read) to app_user',
  'column app_public.phone_numbers: insert (agent_id, is_active, name, phone_number, user_id) to app_user',
  'column app_public.phone_numbers: update (agent_id, is_active, name) to app_user',
  'column app_public.users: update (alert_phone, analysis_prompt_complete, analysis_prompt_individual, name, timezone) to app_user',
  'function app_hidden.answer_rate(bigint,bigint): execute to app_user',
  'function app_hidden.average(bigint,bigint): execute to app_user',
  'function app_hidden.conversion_rate(bigint,bigint): execute to app_user',
  'function app_hidden.cta_conversion_rate(bigint,bigint): execute to app_user',
  'function app_hidden.is_valid_timezone(text): execute to app_user',
  'function app_hidden.qualified_score_threshold(): execute to app_user',
  'function app_hidden.ratio(numeric,numeric): execute to app_user',
  'function app_hidden.success_rate(bigint,bigint,bigint): execute to app_user',
  'function app_hidden.tenant_today(text): execute to app_anonymous',
  'function app_hidden.tenant_today(text): execute to app_user',
  'function app_hidden.verify_rollups(uuid,date,date): execute to app_admin',
  'function app_public.current_user_id(): execute to app_anonymous',
  'function app_public.current_user_id(): execute to app_user',
  'function app_public.current_user_is_admin(): execute to app_anonymous',
  'function app_public.current_user_is_admin(): execute to app_user',
  'function app_public.users_available_credits(app_public.users): execute to app_user',
  'schema app_hidden: usage to app_admin',
  'schema app_hidden: usage to app_anonymous',
  'schema app_hidden: usage to app_user',
  'schema app_public: usage to app_anonymous',
  'schema app_public: usage to app_user',
  'schema public: usage to app_anonymous',
  'schema public: usage to app_user',
  'table app_hidden.credit_charges: select to app_user',
  'table app_hidden.rollup_deltas: select to app_user',
  'table app_public.agent_analytics: select to app_user',
  'table app_public.agent_daily_stats: select to app_user',
  'table app_public.agent_hourly_analytics: select to app_user',
  'table app_public.agent_hourly_stats: select to app_user',
  'table app_public.agent_performance: select to app_user',
  'table app_public.agent_target_progress: select to app_user',
  'table app_public.agent_targets: delete, select to app_user',
  'table app_public.agent_trends: select to app_user',
  'function app_hidden.agent_version_measures(uuid,uuid,text,date,date,uuid[]): execute to app_user',
  'function app_hidden.agent_version_ranges(uuid): execute to app_user',
  // the call log's page rows and range totals, each with one cached plan (migration 000037)
  'function app_hidden.call_log_range_measures(uuid,date,date,uuid): execute to app_user',
  'function app_hidden.call_log_rows(uuid,text,timestamp with time zone,timestamp with time zone,uuid[],text): execute to app_user',
  'function app_hidden.cell_quarter_hours(text,timestamp with time zone,timestamp with time zone,integer,integer): execute to app_user',
  'function app_hidden.sum_deltas(app_hidden.rollup_deltas[]): execute to app_user',
  // whether retention purged calls of a range (the call log's totals then skip the rollups; own business only)
  'function app_hidden.purged_history_in(date,date): execute to app_user',
  'function app_public.calls_agent_version_id(app_public.calls): execute to app_user',
  'function app_hidden.contact_conversions(uuid): execute to app_user',
  'function app_hidden.rate_tests(app_hidden.measures,app_hidden.measures): execute to app_user',
  'function app_hidden.score_band(integer): execute to app_user',
  'function app_hidden.two_proportion_test(text,bigint,bigint,bigint,bigint): execute to app_user',
  'function app_public.agent_version_kpis(uuid,date,date,integer[]): execute to app_user',
  'function app_public.score_calibration(date,date,uuid): execute to app_user',
  'table app_public.agent_versions: select to app_user',
  'table app_public.agents: delete, select to app_user',
  'table app_public.call_source_analytics: select to app_user',
  'table app_public.calls: select to app_user',
  'table app_public.contacts: delete, select to app_user',
  'table app_public.credit_transactions: select to app_user',
  'table app_public.customers: delete, select to app_user',
  'table app_public.follow_ups: delete, select to app_user',
  'table app_public.kpi_summaries: select to app_user',
  'table app_public.lead_analytics: select to app_user',
  'table app_public.period_analytics: select to app_user',
  'table app_public.phone_numbers: delete, select to app_user',
  'table app_public.tenant_daily_stats: select to app_user',
  'table app_public.tenant_hourly_stats: select to app_user',
  'table app_public.transcripts: select to app_user',
  'table app_public.user_analytics: select to app_user',
  'table app_public.user_hourly_analytics: select to app_user',
  'table app_public.users: select to app_user',
  // appointments (helper "appointments")
  'function app_hidden.booking_counts(uuid,text,date,date,uuid): execute to app_user',
  'function app_hidden.booking_rate(numeric,numeric): execute to app_user',
  'function app_hidden.no_show_rate(numeric,numeric): execute to app_user',
  'function app_hidden.show_rate(numeric,numeric): execute to app_user',
  'function app_hidden.sync_calendar_appointment(text,timestamp with time zone,text,timestamp with time zone,text,text,text,uuid,uuid): execute to app_user',
  'function app_public.appointment_list(date,date,text[],uuid,integer): execute to app_user',
  'function app_public.booking_kpis(date,date,uuid): execute to app_user',
  'function app_public.booking_summary(date,date,uuid): execute to app_user',
  'function app_public.create_appointment(timestamp with time zone,uuid,uuid,text,text,text): execute to app_user',
  'function app_public.reschedule_appointment(uuid,timestamp with time zone,text): execute to app_user',
  'function app_public.update_appointment_status(uuid,text,text): execute to app_user',
  'table app_public.appointments: select to app_user',
];

/** Views that run with their owner's rights on purpose (each filters rows itself or holds no tenant data). */
const DEFINER_VIEWS = ['app_public.kpi_summaries'];

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

async function lines(sql: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await db.pool.query<{ line: string }>(sql, params);
  return rows.map((row) => row.line);
}

describe('PUBLIC', () => {
  it('has no privilege on the public and app schemas', async () => {
    expect(
      await lines(
        `select format('%s: %s', n.nspname, a.privilege_type) as line
           from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
          where n.nspname = any ($1) and a.grantee = 0`,
        [APP_SCHEMAS],
      ),
    ).toEqual([]);
  });

  it('can execute no function the migrations created', async () => {
    expect(
      await lines(
        `select p.oid::regprocedure::text as line
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace,
                aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
          where n.nspname = any ($1) and a.grantee = 0 and a.privilege_type = 'EXECUTE'
            and not exists (select 1 from pg_depend d
                             where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
          order by 1`,
        [APP_SCHEMAS],
      ),
    ).toEqual([]);
  });

  it('has no privilege on any table, view, sequence or column of the app schemas', async () => {
    expect(
      await lines(
        `select format('%s: %s', c.oid::regclass, a.privilege_type) as line
           from pg_class c join pg_namespace n on n.oid = c.relnamespace,
                aclexplode(coalesce(c.relacl, acldefault(case when c.relkind = 'S' then 's' else 'r' end::"char", c.relowner))) a
          where n.nspname = any ($1) and a.grantee = 0
         union all
         select format('%s.%s: %s', c.oid::regclass, t.attname, a.privilege_type)
           from pg_attribute t join pg_class c on c.oid = t.attrelid join pg_namespace n on n.oid = c.relnamespace,
                aclexplode(t.attacl) a
          where n.nspname = any ($1) and a.grantee = 0`,
        [APP_SCHEMAS],
      ),
    ).toEqual([]);
  });
});

describe('application roles', () => {
  it('hold exactly the expected grants (a new grant must be added to EXPECTED_GRANTS on purpose)', async () => {
    const actual = await lines(
      `with grants as (
         select 'schema' as kind, n.nspname::text as object, a.privilege_type, a.grantee, null::text as col
           from pg_namespace n, aclexplode(n.nspacl) a
          where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
         union all
         select 'table', c.oid::regclass::text, a.privilege_type, a.grantee, null
           from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a
          where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
         union all
         select 'column', c.oid::regclass::text, a.privilege_type, a.grantee, t.attname::text
           from pg_attribute t join pg_class c on c.oid = t.attrelid join pg_namespace n on n.oid = c.relnamespace,
                aclexplode(t.attacl) a
          where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
         union all
         select 'function', p.oid::regprocedure::text, a.privilege_type, a.grantee, null
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(p.proacl) a
          where n.nspname not in ('pg_catalog', 'information_schema')
            and not exists (select 1 from pg_depend d
                             where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
         union all
         select 'type', format_type(t.oid, null), a.privilege_type, a.grantee, null
           from pg_type t join pg_namespace n on n.oid = t.typnamespace, aclexplode(t.typacl) a
          where n.nspname not in ('pg_catalog', 'information_schema')
       )
       select format('%s %s: %s%s to %s', g.kind, g.object, string_agg(distinct lower(g.privilege_type), ', '),
                     case when g.kind = 'column' then ' (' || string_agg(distinct g.col, ', ') || ')' else '' end,
                     r.rolname) as line
         from grants g join pg_roles r on r.oid = g.grantee
        where r.rolname = any ($1)
        group by g.kind, g.object, r.rolname, case when g.kind = 'column' then g.privilege_type end
        order by 1`,
      [APP_ROLES],
    );
    expect(actual).toEqual([...EXPECTED_GRANTS].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it('are plain roles, and only the authenticator logs in (without inheriting)', async () => {
    const { rows } = await db.pool.query(
      `select rolname, rolcanlogin, rolinherit, rolsuper or rolbypassrls or rolcreaterole or rolcreatedb or rolreplication as powerful
         from pg_roles where rolname = any ($1) order by rolname`,
      [APP_ROLES],
    );
    expect(rows).toEqual([
      { rolname: 'app_admin', rolcanlogin: false, rolinherit: true, powerful: false },
      { rolname: 'app_anonymous', rolcanlogin: false, rolinherit: true, powerful: false },
      { rolname: 'app_authenticator', rolcanlogin: true, rolinherit: false, powerful: false },
      { rolname: 'app_owner', rolcanlogin: false, rolinherit: true, powerful: false },
      { rolname: 'app_user', rolcanlogin: false, rolinherit: true, powerful: false },
      { rolname: 'app_viewer', rolcanlogin: false, rolinherit: true, powerful: false },
    ]);
    expect(
      await lines(
        `select format('%s in %s%s%s', m.rolname, r.rolname, case when am.admin_option then ' with admin' else '' end,
                       case when am.inherit_option then ' (inherit)' else '' end) as line
           from pg_auth_members am join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member
          where r.rolname = any ($1) or m.rolname = any ($1)
          order by 1`,
        [APP_ROLES],
      ),
    ).toEqual([
      // Team access: owners hold the owner-only rights, viewers run read-only; admins are owners.
      'app_admin in app_owner (inherit)',
      'app_admin in app_user (inherit)',
      'app_authenticator in app_admin',
      'app_authenticator in app_anonymous',
      'app_authenticator in app_owner',
      'app_authenticator in app_user',
      'app_authenticator in app_viewer',
      'app_owner in app_user (inherit)',
      'app_viewer in app_user (inherit)',
    ]);
  });

  it('can use the extension functions behind the columns they read (citext comparisons)', async () => {
    // users.email, contacts.email, ... are citext: filtering on them calls citext's operator functions.
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await client.query(`insert into app_public.users (id, email, name) values ('00000000-0000-7000-8000-000000000001', 'Ann@Example.com', 'Ann')`);
        await asTenant(client, '00000000-0000-7000-8000-000000000001');
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from app_public.users where email = 'ann@example.com' and email like '%EXAMPLE%'`,
        );
        expect(rows).toEqual([{ n: 1 }]);
      }),
    );
  });
});

describe('row-level security', () => {
  it('is enabled on app_public.users and on every table with a user_id column that an application role can read', async () => {
    expect(
      await lines(
        `select c.oid::regclass::text as line
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and not c.relrowsecurity
            and (c.oid = 'app_public.users'::regclass
                 or (exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped)
                     and (n.nspname = 'app_public'
                          or exists (select 1 from unnest($1::text[]) r where has_any_column_privilege(r, c.oid, 'select')))))
          order by 1`,
        [APP_ROLES],
      ),
    ).toEqual([]);
  });

  it('has a policy for every command app_user may run on each such table', async () => {
    expect(
      await lines(
        `select format('%s: %s', c.oid::regclass, cmd) as line
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           cross join (values ('SELECT', 'r'), ('INSERT', 'a'), ('UPDATE', 'w'), ('DELETE', 'd')) x(cmd, polcmd)
          where n.nspname in ('app_public', 'app_hidden') and c.relkind in ('r', 'p') and c.relrowsecurity
            and case cmd when 'SELECT' then has_any_column_privilege('app_user', c.oid, 'select')
                         when 'INSERT' then has_any_column_privilege('app_user', c.oid, 'insert')
                         when 'UPDATE' then has_any_column_privilege('app_user', c.oid, 'update')
                         else has_table_privilege('app_user', c.oid, 'delete') end
            and not exists (select 1 from pg_policy p
                             where p.polrelid = c.oid and p.polcmd in (x.polcmd::"char", '*')
                               and (p.polroles = '{0}' or 'app_user'::regrole = any (p.polroles)))
          order by 1`,
      ),
    ).toEqual([]);
  });

  it('applies to every view of app_public, except the listed owner-rights views', async () => {
    expect(
      await lines(
        `select c.oid::regclass::text as line
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'app_public' and c.relkind = 'v'
            and not coalesce('security_invoker=true' = any (c.reloptions), false)
            and c.oid::regclass::text <> all ($1)
          order by 1`,
        [DEFINER_VIEWS],
      ),
    ).toEqual([]);
  });
});

interface ForeignKey {
  name: string;
  table: string;
  columns: string[];
  referenced: string;
  referenced_columns: string[];
}

interface IndexInfo {
  table: string;
  name: string;
  columns: string[];
  unique: boolean;
  predicate: string | null;
}

/** A partial index still serves a foreign key when its predicate only says the key columns are not null. */
function predicateServes(predicate: string | null, columns: string[]): boolean {
  if (predicate === null) return true;
  return predicate
    .replace(/^\((.*)\)$/, '$1')
    .split(' AND ')
    .every((part) => columns.some((column) => part.replace(/[()]/g, '').trim() === `${column} IS NOT NULL`));
}

function sameSet(x: string[], y: string[]): boolean {
  return x.length === y.length && x.every((value) => y.includes(value));
}

/**
 * An index supports a foreign key when its leading columns are the key's
 * columns, or the part of the key that alone identifies the referenced row
 * (for `(agent_id, user_id) references agents (id, user_id)`, an index led by
 * agent_id: agents.id is unique, so the lookup finds at most one tenant's rows).
 */
function supports(index: IndexInfo, fk: ForeignKey, referencedUnique: string[][]): boolean {
  if (!predicateServes(index.predicate, fk.columns)) return false;
  for (let n = 1; n <= fk.columns.length; n += 1) {
    const leading = index.columns.slice(0, n);
    if (leading.length < n || !leading.every((column) => fk.columns.includes(column))) return false;
    if (n === fk.columns.length) return sameSet(leading, fk.columns);
    const mapped = leading.map((column) => fk.referenced_columns[fk.columns.indexOf(column)] ?? '');
    if (referencedUnique.some((key) => key.every((column) => mapped.includes(column)))) return true;
  }
  return false;
}

describe('foreign keys', () => {
  it('each have a supporting index (leading columns = the key, or the part of it that identifies the referenced row)', async () => {
    const { rows: fks } = await db.pool.query<ForeignKey>(
      `select c.conname::text as name, c.conrelid::regclass::text as table, c.confrelid::regclass::text as referenced,
              array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i)
                      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as columns,
              array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i)
                      join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as referenced_columns
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where c.contype = 'f' and n.nspname = any ($1)
        order by 2, 1`,
      [APP_SCHEMAS],
    );
    const { rows: indexes } = await db.pool.query<IndexInfo>(
      `select i.indrelid::regclass::text as table, i.indexrelid::regclass::text as name, i.indisunique as unique,
              pg_get_expr(i.indpred, i.indrelid) as predicate,
              array(select coalesce(a.attname::text, '(expression)') from unnest(i.indkey[0:i.indnkeyatts - 1]) with ordinality k(n, o)
                      left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o) as columns
         from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any ($1) and i.indisvalid`,
      [APP_SCHEMAS],
    );
    expect(fks.length).toBeGreaterThan(20);
    const gaps = fks
      .filter((fk) => {
        const referencedUnique = indexes
          .filter((index) => index.table === fk.referenced && index.unique && index.predicate === null)
          .map((index) => index.columns);
        return !indexes.some((index) => index.table === fk.table && supports(index, fk, referencedUnique));
      })
      .map((fk) => `${fk.table} (${fk.columns.join(', ')}) -> ${fk.referenced} [${fk.name}]`);
    expect(gaps).toEqual([]);
  });
});
