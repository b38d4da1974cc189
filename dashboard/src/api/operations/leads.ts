/** Leads: the leads page (cursor-paged, filtered), marking leads read, the contact page and follow-ups. */
import type {
  ContactOverviewQuery, ContactOverviewQueryVariables, CreateFollowUpMutation, CreateFollowUpMutationVariables,
  LeadsPageQuery, LeadsPageQueryVariables, MarkLeadsReadMutation, MarkLeadsReadMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type LeadsPageData = LeadsPageQuery;
export type LeadsPageVariables = LeadsPageQueryVariables;
export type LeadItem = NonNullable<NonNullable<NonNullable<LeadsPageQuery['leadsPage']>['items']>[number]>;

export const LEADS_PAGE = typedDocument<LeadsPageData, LeadsPageVariables>(
  'LeadsPage',
  /* GraphQL */ `
  query LeadsPage($fromDate: Date, $toDate: Date, $agentId: UUID, $temperature: String, $unreadOnly: Boolean,
                  $minScore: Int, $maxScore: Int, $after: String, $first: Int) {
    leadsPage(fromDate: $fromDate, toDate: $toDate, agentId: $agentId, temperature: $temperature, unreadOnly: $unreadOnly,
              minScore: $minScore, maxScore: $maxScore, after: $after, first: $first) {
      totalCount unreadCount endCursor hasNextPage
      items {
        leadAnalyticId callId contactId agentId phoneNumber extractedName companyName leadStatusTag totalScore
        smartNotification isRead startedAt
      }
    }
  }
`,
);

export type MarkLeadsReadData = MarkLeadsReadMutation;
export type MarkLeadsReadVariables = MarkLeadsReadMutationVariables;

export const MARK_LEADS_READ = typedDocument<MarkLeadsReadData, MarkLeadsReadVariables>(
  'MarkLeadsRead',
  /* GraphQL */ `
  mutation MarkLeadsRead($fromDate: Date, $toDate: Date, $agentId: UUID, $temperature: String, $minScore: Int, $maxScore: Int) {
    markLeadsRead(input: { fromDate: $fromDate, toDate: $toDate, agentId: $agentId, temperature: $temperature,
                           minScore: $minScore, maxScore: $maxScore }) { result }
  }
`,
);

export type ContactOverviewData = ContactOverviewQuery;
export type ContactOverviewVariables = ContactOverviewQueryVariables;
export type ContactOverview = NonNullable<ContactOverviewQuery['contactOverview']>;
export type ContactCall = NonNullable<NonNullable<ContactOverview['calls']>[number]>;

export const CONTACT_OVERVIEW = typedDocument<ContactOverviewData, ContactOverviewVariables>(
  'ContactOverview',
  /* GraphQL */ `
  query ContactOverview($contactId: UUID!) {
    contactOverview(contactId: $contactId) {
      contactId phoneNumber name email company isCustomer notConnected createdAt summaryScore summaryTag
      calls {
        callId startedAt agentId agentName status outcome direction durationSeconds
        leadAnalyticId totalScore leadStatusTag isRead smartNotification
      }
      followUps { followUpId followUpDate remark status createdAt }
    }
  }
`,
);

export type CreateFollowUpData = CreateFollowUpMutation;
export type CreateFollowUpVariables = CreateFollowUpMutationVariables;

export const CREATE_FOLLOW_UP = typedDocument<CreateFollowUpData, CreateFollowUpVariables>(
  'CreateFollowUp',
  /* GraphQL */ `
  mutation CreateFollowUp($contactId: UUID, $leadPhone: String!, $leadName: String, $followUpDate: Date!, $remark: String) {
    createFollowUp(input: { followUp: { contactId: $contactId, leadPhone: $leadPhone, leadName: $leadName,
                                        followUpDate: $followUpDate, remark: $remark } }) {
      followUp { rowId followUpDate }
    }
  }
`,
);
