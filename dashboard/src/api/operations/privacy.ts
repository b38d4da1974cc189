/** The "Data & privacy" page: privacy requests (exports, erasures), retention settings, and their mutations. */
import type { PrivacyQuery, PrivacyQueryVariables, CallerPreviewQuery, CallerPreviewQueryVariables, RequestDataExportMutation, RequestDataExportMutationVariables, EraseContactMutation, EraseContactMutationVariables, SetRetentionMutation, SetRetentionMutationVariables, EraseBusinessMutation, EraseBusinessMutationVariables } from '../generated/graphql.ts';
import { typedDocument, type BigIntString, type BigFloatString, type DatetimeString, type Uuid } from '../scalars.ts';

/** PrivacyRequest */
export interface PrivacyRequestRow {
  rowId: Uuid;
  kind: 'export' | 'erase_contact' | 'erase_business';
  status: 'pending' | 'running' | 'completed' | 'failed' | 'expired';
  /** 0 to 1 */
  progress: BigFloatString;
  /** JSON: rows per table (exports: under `rows`), or rows removed (erasures) */
  details: Record<string, unknown>;
  archiveBytes: BigIntString | null;
  expiresAt: DatetimeString | null;
  createdAt: DatetimeString;
  finishedAt: DatetimeString | null;
  error: string | null;
}

/** RetentionSetting */
export interface RetentionSettingRow {
  dataType: string;
  description: string | null;
  retainDays: number | null;
  defaultDays: number | null;
  minDays: number | null;
  maxDays: number | null;
  isOverride: boolean | null;
}

export type PrivacyData = PrivacyQuery;
export type PrivacyVariables = PrivacyQueryVariables;

const REQUEST_FIELDS = 'rowId kind status progress details archiveBytes expiresAt createdAt finishedAt error';

export const PRIVACY = typedDocument<PrivacyData, PrivacyVariables>(
  'Privacy',
  /* GraphQL */ `
  query Privacy {
    currentTenant { rowId email }
    allPrivacyRequests(first: 20, orderBy: [CREATED_AT_DESC]) { nodes { ${REQUEST_FIELDS} } }
    retentionSettings { dataType description retainDays defaultDays minDays maxDays isOverride }
  }
`,
);

export type CallerPreviewData = CallerPreviewQuery;
export type CallerPreviewVariables = CallerPreviewQueryVariables;

export const CALLER_PREVIEW = typedDocument<CallerPreviewData, CallerPreviewVariables>(
  'CallerPreview',
  /* GraphQL */ `
  query CallerPreview($phoneNumber: String!) {
    allCalls(condition: { phoneNumber: $phoneNumber }) { totalCount }
    allContacts(condition: { phoneNumber: $phoneNumber }, first: 1) { nodes { rowId name isCustomer } }
    allFollowUps(condition: { leadPhone: $phoneNumber }) { totalCount }
    allLeadAnalytics(condition: { phoneNumber: $phoneNumber, analysisType: "complete" }) { totalCount }
  }
`,
);

export type RequestExportData = RequestDataExportMutation;
export type RequestExportVariables = RequestDataExportMutationVariables;

export const REQUEST_EXPORT = typedDocument<RequestExportData, RequestExportVariables>(
  'RequestDataExport',
  /* GraphQL */ `
  mutation RequestDataExport {
    requestDataExport(input: {}) { result { ${REQUEST_FIELDS} } }
  }
`,
);

export type EraseContactData = EraseContactMutation;
export type EraseContactVariables = EraseContactMutationVariables;

export const ERASE_CONTACT = typedDocument<EraseContactData, EraseContactVariables>(
  'EraseContact',
  /* GraphQL */ `
  mutation EraseContact($phoneNumber: String!) {
    eraseContact(input: { phoneNumber: $phoneNumber }) { result { ${REQUEST_FIELDS} } }
  }
`,
);

export type SetRetentionData = SetRetentionMutation;
export type SetRetentionVariables = SetRetentionMutationVariables;

export const SET_RETENTION = typedDocument<SetRetentionData, SetRetentionVariables>(
  'SetRetention',
  /* GraphQL */ `
  mutation SetRetention($dataType: String!, $retainDays: Int) {
    setRetention(input: { dataType: $dataType, retainDays: $retainDays }) { result { dataType retainDays isOverride } }
  }
`,
);

export type EraseBusinessData = EraseBusinessMutation;
export type EraseBusinessVariables = EraseBusinessMutationVariables;

export const ERASE_BUSINESS = typedDocument<EraseBusinessData, EraseBusinessVariables>(
  'EraseBusiness',
  /* GraphQL */ `
  mutation EraseBusiness($confirmEmail: String!) {
    eraseBusiness(input: { confirmEmail: $confirmEmail }) { result }
  }
`,
);
