/** Every GraphQL document the dashboard sends (tests/dashboard/documents.test.ts validates them against schema.graphql). */
import { ADMIN_SUMMARIES } from './operations/admin.ts';
import { AGENT_OVERVIEW } from './operations/agent-overview.ts';
import { AGENT_SLICE } from './operations/agent-slice.ts';
import { AUDIT_ENTRIES } from './operations/audit.ts';
import { CALL_DETAIL } from './operations/call-detail.ts';
import { MARK_ALL_READ, MARK_READ, SIGN_IN } from './operations/mutations.ts';
import { OVERVIEW } from './operations/overview.ts';
import { CALLER_PREVIEW, ERASE_BUSINESS, ERASE_CONTACT, PRIVACY, REQUEST_EXPORT, SET_RETENTION } from './operations/privacy.ts';
import { ONBOARDING_STATUS, REGISTER, REMOVE_TEST_CALLS, SEND_TEST_CALL, START_TENANT_VIEW } from './operations/onboarding.ts';
import { SESSION } from './operations/session.ts';

export const DOCUMENTS = [OVERVIEW, AGENT_SLICE, AGENT_OVERVIEW, CALL_DETAIL, SESSION, ADMIN_SUMMARIES, SIGN_IN, MARK_READ, MARK_ALL_READ,
  PRIVACY, CALLER_PREVIEW, REQUEST_EXPORT, ERASE_CONTACT, SET_RETENTION, ERASE_BUSINESS,
  AUDIT_ENTRIES, REGISTER, ONBOARDING_STATUS, SEND_TEST_CALL, REMOVE_TEST_CALLS, START_TENANT_VIEW] as const;
