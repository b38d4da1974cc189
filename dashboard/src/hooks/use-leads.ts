/** The leads page, the contact page and their mutations. */
import {
  CONTACT_OVERVIEW, CREATE_FOLLOW_UP, LEADS_PAGE, MARK_LEADS_READ, type ContactOverviewData, type CreateFollowUpData,
  type CreateFollowUpVariables, type LeadsPageData, type LeadsPageVariables, type MarkLeadsReadData, type MarkLeadsReadVariables,
} from '../api/operations/leads.ts';
import { useMutation, type MutationState } from './use-mutation.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useLeadsPage(variables: LeadsPageVariables): QueryState<LeadsPageData> {
  return useQuery(LEADS_PAGE, variables);
}

export function useMarkLeadsRead(): MutationState<MarkLeadsReadData, MarkLeadsReadVariables> {
  return useMutation(MARK_LEADS_READ);
}

/** `contactId` null (not a UUID): nothing is asked. */
export function useContactOverview(contactId: string | null): QueryState<ContactOverviewData> {
  return useQuery(CONTACT_OVERVIEW, { contactId: contactId ?? '' }, { skip: contactId === null });
}

export function useCreateFollowUp(): MutationState<CreateFollowUpData, CreateFollowUpVariables> {
  return useMutation(CREATE_FOLLOW_UP);
}
