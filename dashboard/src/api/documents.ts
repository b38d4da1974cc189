/** Every GraphQL document the dashboard sends (tests/dashboard/documents.test.ts validates them against schema.graphql). */
import { ADMIN_SUMMARIES } from './operations/admin.ts';
import { APPOINTMENT_DOCUMENTS } from './operations/appointments.ts';
import { AGENT_OVERVIEW } from './operations/agent-overview.ts';
import { AGENT_SLICE } from './operations/agent-slice.ts';
import { AUDIT_ENTRIES } from './operations/audit.ts';
import { CALL_DETAIL } from './operations/call-detail.ts';
import { CONTACT_OVERVIEW, CREATE_FOLLOW_UP, LEADS_PAGE, MARK_LEADS_READ } from './operations/leads.ts';
import { CALL_PAGE, RETRY_ANALYSIS } from './operations/call-page.ts';
import { KPI_DEFINITIONS } from './operations/kpi-definitions.ts';
import { CALL_LOG, CALL_LOG_TOTALS } from './operations/call-log.ts';
import { MARK_ALL_READ, MARK_READ, SIGN_IN } from './operations/mutations.ts';
import { OUTCOMES_COST } from './operations/outcomes-cost.ts';
import { OVERVIEW } from './operations/overview.ts';
import { CALLER_PREVIEW, ERASE_BUSINESS, ERASE_CONTACT, PRIVACY, REQUEST_EXPORT, SET_RETENTION } from './operations/privacy.ts';
import { ONBOARDING_STATUS, REGISTER, REMOVE_TEST_CALLS, SEND_TEST_CALL, START_TENANT_VIEW } from './operations/onboarding.ts';
import { CANCEL_RESCORING, COMPARE_VERSIONS, CONTACT_SCORE_HISTORY, ESTIMATE_RESCORING, RESCORING, START_RESCORING } from './operations/rescoring.ts';
import { SESSION } from './operations/session.ts';
import { CONVERSATION_DOCUMENTS } from './operations/conversation.ts';
import { PROVIDERS, REPLAY_DELIVERIES, ROTATE_BOLNA_TOKEN, SET_BOLNA_SECRET, SET_TWILIO } from './operations/providers.ts';
import { API_KEYS, CREATE_API_KEY, REVOKE_API_KEY } from './operations/api-keys.ts';
import { SETTINGS_DOCUMENTS } from './operations/settings.ts';
import {
  ACCEPT_INVITATION, CHANGE_PASSWORD, INVITATIONS, INVITE_MEMBER, ISSUE_PASSWORD_RESET, REMOVE_MEMBER, RESET_PASSWORD, REVOKE_INVITATION,
  SET_MEMBER_ROLE, TEAM,
} from './operations/team.ts';
import { AGENT_VERSION_LIST, COMPARE_AGENT_VERSIONS, SCORE_CALIBRATION } from './operations/insights-versions.ts';

export const DOCUMENTS = [OVERVIEW, AGENT_SLICE, AGENT_OVERVIEW, CALL_DETAIL, SESSION, ADMIN_SUMMARIES, SIGN_IN, MARK_READ, MARK_ALL_READ,
  PRIVACY, CALLER_PREVIEW, REQUEST_EXPORT, ERASE_CONTACT, SET_RETENTION, ERASE_BUSINESS,
  AUDIT_ENTRIES,
  PROVIDERS, ROTATE_BOLNA_TOKEN, SET_BOLNA_SECRET, SET_TWILIO, REPLAY_DELIVERIES, API_KEYS, CREATE_API_KEY, REVOKE_API_KEY,
  ...SETTINGS_DOCUMENTS,
  LEADS_PAGE, MARK_LEADS_READ, CONTACT_OVERVIEW, CREATE_FOLLOW_UP,
  // Team access
  TEAM, INVITATIONS, INVITE_MEMBER, REVOKE_INVITATION, SET_MEMBER_ROLE, REMOVE_MEMBER, ISSUE_PASSWORD_RESET, CHANGE_PASSWORD,
  ACCEPT_INVITATION, RESET_PASSWORD,
  CALL_PAGE, RETRY_ANALYSIS,
  KPI_DEFINITIONS,
  CALL_LOG,
  CALL_LOG_TOTALS,
  REGISTER, ONBOARDING_STATUS, SEND_TEST_CALL, REMOVE_TEST_CALLS, START_TENANT_VIEW,
  // Insights: agent versions and calibration
  AGENT_VERSION_LIST, COMPARE_AGENT_VERSIONS, SCORE_CALIBRATION,
  // Insights: outcomes and cost
  OUTCOMES_COST,
  // Appointments and the booking funnel (issue 17)
  ...APPOINTMENT_DOCUMENTS,
  // Conversation intelligence (issue 17, helper "analysis")
  ...CONVERSATION_DOCUMENTS,
  // Score history and re-scoring runs
  RESCORING, ESTIMATE_RESCORING, START_RESCORING, CANCEL_RESCORING, COMPARE_VERSIONS, CONTACT_SCORE_HISTORY,
] as const;
