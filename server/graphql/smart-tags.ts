/**
 * How the database is shaped into GraphQL, beyond what grants, RLS and
 * `comment on` descriptions already decide: relation names, which columns can
 * be filtered and ordered, which functions return plain lists, and the keys
 * of views. Kept here (not in SQL comments) so the descriptions stay prose.
 *
 * Amber (PgIndexBehaviorsPlugin) only lets clients filter and order tables by
 * indexed columns. Every tenant table's RLS policy reaches rows through a
 * `user_id` index, so filtering a tenant's rows by the columns below is
 * bounded by the tenant's size; they are opened on purpose.
 */
import 'postgraphile';
import { jsonPgSmartTags, type JSONPgSmartTags } from 'postgraphile/utils';

const FILTER_ORDER = { tags: { behavior: '+filterBy +orderBy' } };
const LIST_ONLY = { tags: { behavior: '+list -connection', listSuffix: 'omit' } };
/** The (id, user_id) unique keys exist for composite foreign keys only. */
const FK_TARGET_ONLY = { tags: { behavior: '-single -update -delete' } };

/**
 * Names a foreign key's two fields. `isIndexed`: Amber hides backward
 * relations unless one index holds every key column; our composite keys
 * (x_id, user_id) are served by an index on x_id alone (unique or nearly),
 * which is what the lookup needs.
 */
function relation(fieldName: string, foreignFieldName: string) {
  return { tags: { fieldName, foreignFieldName, isIndexed: true as const } };
}

function filterable(...columns: string[]) {
  return Object.fromEntries(columns.map((column) => [column, FILTER_ORDER]));
}

const tags: JSONPgSmartTags = {
  version: 1,
  config: {
    class: {
      'app_public.privacy_requests': {
        attribute: filterable('kind', 'status', 'created_at'),
        constraint: {
          privacy_requests_user_id_fkey: relation('user', 'privacyRequests'),
        },
      },
      'app_public.agents': {
        attribute: filterable('name', 'is_active', 'created_at'),
        constraint: {
          agents_id_user_id_key: FK_TARGET_ONLY,
          agents_user_id_fkey: relation('user', 'agents'),
        },
      },
      'app_public.phone_numbers': {
        attribute: filterable('phone_number', 'is_active'),
        constraint: {
          phone_numbers_agent_id_user_id_fkey: relation('agent', 'phoneNumbers'),
          phone_numbers_user_id_fkey: relation('user', 'phoneNumbers'),
        },
      },
      'app_public.usage_alert_thresholds': {
        constraint: {
          usage_alert_thresholds_user_id_fkey: relation('user', 'usageAlertThresholds'),
        },
      },
      'app_public.contacts': {
        attribute: filterable('name', 'phone_number', 'is_customer', 'not_connected', 'created_at'),
        constraint: {
          contacts_id_user_id_key: FK_TARGET_ONLY,
          contacts_user_id_fkey: relation('user', 'contacts'),
        },
      },
      'app_public.calls': {
        attribute: filterable(
          'started_at', 'status', 'outcome', 'direction', 'call_source', 'phone_number', 'duration_seconds',
        ),
        constraint: {
          calls_id_user_id_key: FK_TARGET_ONLY,
          calls_agent_id_user_id_fkey: relation('agent', 'calls'),
          calls_contact_id_user_id_fkey: relation('contact', 'calls'),
          calls_user_id_fkey: relation('user', 'calls'),
        },
      },
      // Conversation intelligence (issue 17): the topic taxonomy, success criteria and each call's answers.
      'app_public.analysis_topics': {
        attribute: filterable('key'),
        constraint: { analysis_topics_user_id_fkey: relation('user', 'analysisTopics') },
      },
      'app_public.success_criteria': {
        attribute: filterable('name', 'is_active'),
        constraint: {
          success_criteria_id_user_id_key: FK_TARGET_ONLY,
          success_criteria_user_id_fkey: relation('user', 'successCriteria'),
        },
      },
      'app_public.call_criterion_results': {
        constraint: {
          call_criterion_results_call_id_user_id_fkey: relation('call', 'criterionResults'),
          call_criterion_results_criterion_id_user_id_fkey: relation('criterion', 'callResults'),
          call_criterion_results_user_id_fkey: relation('user', 'callCriterionResults'),
        },
      },
      'app_public.transcripts': {
        attribute: filterable('analysis_status', 'created_at'),
        constraint: {
          transcripts_call_id_user_id_fkey: relation('call', 'transcripts'),
          transcripts_user_id_fkey: relation('user', 'transcripts'),
        },
      },
      'app_public.lead_analytics': {
        attribute: filterable(
          'analysis_type', 'lead_status_tag', 'total_score', 'is_read', 'smart_notification', 'phone_number', 'analyzed_at',
        ),
        constraint: {
          lead_analytics_call_id_user_id_fkey: relation('call', 'leadAnalytics'),
          lead_analytics_latest_call_id_user_id_fkey: relation('latestCall', 'completeAnalysesAsLatestCall'),
          lead_analytics_user_id_fkey: relation('user', 'leadAnalytics'),
        },
      },
      'app_public.credit_transactions': {
        attribute: filterable('type', 'posted_at'),
        constraint: {
          credit_transactions_call_id_user_id_fkey: relation('call', 'creditTransactions'),
          credit_transactions_user_id_fkey: relation('user', 'creditTransactions'),
        },
      },
      'app_public.appointments': {
        attribute: filterable('status', 'scheduled_at', 'source'),
        constraint: {
          appointments_id_user_id_key: FK_TARGET_ONLY,
          appointments_external_id_key: { tags: { behavior: '-single' } },
          appointments_agent_id_user_id_fkey: relation('agent', 'appointments'),
          appointments_call_id_user_id_fkey: relation('call', 'appointments'),
          appointments_contact_id_user_id_fkey: relation('contact', 'appointments'),
          appointments_user_id_fkey: relation('user', 'appointments'),
        },
      },
      'app_public.follow_ups': {
        attribute: filterable('status', 'lead_phone', 'created_at'),
        constraint: {
          follow_ups_contact_id_user_id_fkey: relation('contact', 'followUps'),
          follow_ups_user_id_fkey: relation('user', 'followUps'),
        },
      },
      'app_public.customers': {
        attribute: filterable('name', 'status', 'conversion_date', 'created_at'),
        constraint: {
          customers_contact_id_user_id_fkey: relation('contact', 'customers'),
          customers_user_id_fkey: relation('user', 'customers'),
        },
      },
      'app_public.agent_targets': {
        attribute: filterable('period_type', 'period_start'),
        constraint: {
          agent_targets_agent_id_user_id_fkey: relation('agent', 'targets'),
          agent_targets_user_id_fkey: relation('user', 'agentTargets'),
        },
      },
      // Team access: the logins of a business and its invitations (owners only).
      'app_public.members': {
        attribute: filterable('role', 'created_at'),
        constraint: { members_user_id_fkey: relation('user', 'members') },
      },
      'app_public.invitations': {
        constraint: {
          invitations_user_id_fkey: relation('user', 'invitations'),
          invitations_invited_by_fkey: relation('invitedByMember', 'invitationsSent'),
        },
      },
      'app_public.api_keys': {
        attribute: filterable('revoked_at', 'expires_at'),
        constraint: { api_keys_user_id_fkey: relation('user', 'apiKeys') },
      },
      // Rollups (read-only: no write grants) and the live views over them.
      'app_public.agent_analytics': {
        attribute: filterable('day'),
        constraint: {
          agent_analytics_agent_id_user_id_fkey: relation('agent', 'dailyAnalytics'),
          agent_analytics_user_id_fkey: relation('user', 'agentAnalytics'),
        },
      },
      'app_public.user_analytics': {
        constraint: { user_analytics_user_id_fkey: relation('user', 'dailyAnalytics') },
      },
      'app_public.user_hourly_analytics': {
        constraint: { user_hourly_analytics_user_id_fkey: relation('user', 'hourlyAnalytics') },
      },
      // The agent x hour rollup feeds kpiHourlyMatrix(agentId) only: not exposed as tables.
      'app_public.agent_hourly_analytics': { tags: { behavior: '-*' } },
      'app_public.agent_hourly_stats': { tags: { behavior: '-*' } },
      'app_public.agent_daily_stats': {
        tags: { foreignKey: '(agent_id) references app_public.agents (id)|@fieldName agent|@foreignFieldName dailyStats' },
      },
      'app_public.agent_performance': {
        tags: {
          primaryKey: 'agent_id',
          foreignKey: '(agent_id) references app_public.agents (id)|@fieldName agent|@foreignSingleFieldName performance',
        },
      },
      'app_public.agent_target_progress': {
        tags: {
          primaryKey: 'target_id',
          foreignKey: '(agent_id) references app_public.agents (id)|@fieldName agent|@foreignFieldName targetProgress',
        },
      },
      // The materialized KPI summary (admins see every tenant's row).
      'app_public.kpi_summaries': {
        tags: {
          name: 'tenant_kpi_summaries',
          primaryKey: 'user_id',
          foreignKey: [
            '(user_id) references app_public.users (id)|@fieldName user|@foreignSingleFieldName kpiSummary30Days',
            '(best_agent_id) references app_public.agents (id)|@fieldName bestAgent|@foreignFieldName bestAgentOf',
          ],
        },
      },
    },
    procedure: {
      'app_public.kpi_series': LIST_ONLY,
      'app_public.appointment_list': LIST_ONLY,
      'app_public.booking_kpis': LIST_ONLY,
      'app_public.booking_summary': LIST_ONLY,
      'app_public.kpi_hourly_matrix': LIST_ONLY,
      'app_public.agent_leaderboard': LIST_ONLY,
      'app_public.lead_temperature': LIST_ONLY,
      'app_public.cta_funnel': LIST_ONLY,
      'app_public.call_source_breakdown': LIST_ONLY,
      'app_public.targets_vs_actuals': LIST_ONLY,
      'app_public.conversation_trend': LIST_ONLY,
      'app_public.conversation_outcomes': LIST_ONLY,
      'app_public.conversation_topics': LIST_ONLY,
      'app_public.success_criteria_pass_rates': LIST_ONLY,
      'app_public.target_pacing': LIST_ONLY,
      'app_public.retention_settings': LIST_ONLY,
      // The call page's computed fields (one call at a time): no aggregates, filters or orders over them.
      'app_public.calls_queued_at': { tags: { behavior: '-aggregate -aggregate:filterBy -aggregate:orderBy -filterBy -orderBy' } },
      'app_public.calls_deliveries': { tags: { behavior: '-aggregate -aggregate:filterBy -aggregate:orderBy -filterBy -orderBy' } },
    },
  },
};

export const SmartTagsPlugin = jsonPgSmartTags(tags);

/**
 * Naming: `listSuffix: 'omit'` (as in V4) makes list-only KPI functions
 * `kpiSeries`, not `kpiSeriesList`; PostgreSQL enum labels (`day`) become
 * GraphQL-style constants (`DAY`).
 */
export const InflectionPlugin: GraphileConfig.Plugin = {
  name: 'SwitchboardInflectionPlugin',
  version: '1.0.0',
  inflection: {
    replace: {
      enumValue(previous, _options, value, codec) {
        if (!previous) throw new Error('enumValue has no default inflector');
        const name = previous(value, codec);
        return /^[a-z][a-z0-9_]*$/.test(name) ? name.toUpperCase() : name;
      },
      customQueryListField(previous, _options, details) {
        if (details.resource.extensions?.tags?.listSuffix === 'omit') return this.customQueryField(details);
        if (!previous) throw new Error('customQueryListField has no default inflector');
        return previous(details);
      },
    },
  },
};
