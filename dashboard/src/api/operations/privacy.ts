/** The "Data & privacy" page: privacy requests (exports, erasures), retention settings, and their mutations. */
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

export interface PrivacyData {
  currentTenant: { rowId: Uuid; email: string } | null;
  allPrivacyRequests: { nodes: Array<PrivacyRequestRow | null> } | null;
  retentionSettings: Array<RetentionSettingRow | null> | null;
}
export type PrivacyVariables = Record<string, never>;

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

/** What erasing a caller would remove (shown in the confirmation). */
export interface CallerPreviewData {
  allCalls: { totalCount: number } | null;
  allContacts: { nodes: Array<{ rowId: Uuid; name: string | null; isCustomer: boolean } | null> } | null;
  allFollowUps: { totalCount: number } | null;
  allLeadAnalytics: { totalCount: number } | null;
}
export type CallerPreviewVariables = { phoneNumber: string };

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

export interface RequestExportData {
  requestDataExport: { result: PrivacyRequestRow | null } | null;
}
export type RequestExportVariables = Record<string, never>;

export const REQUEST_EXPORT = typedDocument<RequestExportData, RequestExportVariables>(
  'RequestDataExport',
  /* GraphQL */ `
  mutation RequestDataExport {
    requestDataExport(input: {}) { result { ${REQUEST_FIELDS} } }
  }
`,
);

export interface EraseContactData {
  eraseContact: { result: PrivacyRequestRow | null } | null;
}
export type EraseContactVariables = { phoneNumber: string };

export const ERASE_CONTACT = typedDocument<EraseContactData, EraseContactVariables>(
  'EraseContact',
  /* GraphQL */ `
  mutation EraseContact($phoneNumber: String!) {
    eraseContact(input: { phoneNumber: $phoneNumber }) { result { ${REQUEST_FIELDS} } }
  }
`,
);

export interface SetRetentionData {
  setRetention: { result: RetentionSettingRow | null } | null;
}
export type SetRetentionVariables = { dataType: string; retainDays: number | null };

export const SET_RETENTION = typedDocument<SetRetentionData, SetRetentionVariables>(
  'SetRetention',
  /* GraphQL */ `
  mutation SetRetention($dataType: String!, $retainDays: Int) {
    setRetention(input: { dataType: $dataType, retainDays: $retainDays }) { result { dataType retainDays isOverride } }
  }
`,
);

export interface EraseBusinessData {
  eraseBusiness: { result: Uuid | null } | null;
}
export type EraseBusinessVariables = { confirmEmail: string };

export const ERASE_BUSINESS = typedDocument<EraseBusinessData, EraseBusinessVariables>(
  'EraseBusiness',
  /* GraphQL */ `
  mutation EraseBusiness($confirmEmail: String!) {
    eraseBusiness(input: { confirmEmail: $confirmEmail }) { result }
  }
`,
);
