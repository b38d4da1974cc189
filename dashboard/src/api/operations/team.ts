/** Team access: the members list, invitations (owners), role changes, removal, reset links, passwords, links used signed out. */
import type {
  TeamQuery,
  TeamQueryVariables,
  InvitationsQuery,
  InvitationsQueryVariables,
  InviteMemberMutation,
  InviteMemberMutationVariables,
  RevokeInvitationMutation,
  RevokeInvitationMutationVariables,
  SetMemberRoleMutation,
  SetMemberRoleMutationVariables,
  RemoveMemberMutation,
  RemoveMemberMutationVariables,
  IssuePasswordResetMutation,
  IssuePasswordResetMutationVariables,
  ChangePasswordMutation,
  ChangePasswordMutationVariables,
  AcceptInvitationMutation,
  AcceptInvitationMutationVariables,
  ResetPasswordMutation,
  ResetPasswordMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type TeamData = TeamQuery;
export type TeamVariables = TeamQueryVariables;

export const TEAM = typedDocument<TeamData, TeamVariables>(
  'Team',
  /* GraphQL */ `
  query Team {
    currentMember { rowId }
    allMembers(first: 500, orderBy: [CREATED_AT_ASC]) { nodes { rowId name email role lastSignInAt createdAt } }
  }
`,
);

export type InvitationsData = InvitationsQuery;
export type InvitationsVariables = InvitationsQueryVariables;

/** Owners only (the API refuses it to managers and viewers). */
export const INVITATIONS = typedDocument<InvitationsData, InvitationsVariables>(
  'Invitations',
  /* GraphQL */ `
  query Invitations {
    allInvitations(first: 100, orderBy: [CREATED_AT_DESC]) { nodes { rowId email role expiresAt acceptedAt revokedAt createdAt } }
  }
`,
);

export type InviteMemberData = InviteMemberMutation;
export type InviteMemberVariables = InviteMemberMutationVariables;

export const INVITE_MEMBER = typedDocument<InviteMemberData, InviteMemberVariables>(
  'InviteMember',
  /* GraphQL */ `
  mutation InviteMember($email: String!, $role: String!) {
    inviteMember(input: { email: $email, role: $role }) { result { token invitation { rowId email role expiresAt } } }
  }
`,
);

export type RevokeInvitationData = RevokeInvitationMutation;
export type RevokeInvitationVariables = RevokeInvitationMutationVariables;

export const REVOKE_INVITATION = typedDocument<RevokeInvitationData, RevokeInvitationVariables>(
  'RevokeInvitation',
  /* GraphQL */ `
  mutation RevokeInvitation($invitationId: UUID!) {
    revokeInvitation(input: { invitationId: $invitationId }) { result { rowId revokedAt } }
  }
`,
);

export type SetMemberRoleData = SetMemberRoleMutation;
export type SetMemberRoleVariables = SetMemberRoleMutationVariables;

export const SET_MEMBER_ROLE = typedDocument<SetMemberRoleData, SetMemberRoleVariables>(
  'SetMemberRole',
  /* GraphQL */ `
  mutation SetMemberRole($memberId: UUID!, $role: String!) {
    setMemberRole(input: { memberId: $memberId, role: $role }) { result { rowId role } }
  }
`,
);

export type RemoveMemberData = RemoveMemberMutation;
export type RemoveMemberVariables = RemoveMemberMutationVariables;

export const REMOVE_MEMBER = typedDocument<RemoveMemberData, RemoveMemberVariables>(
  'RemoveMember',
  /* GraphQL */ `
  mutation RemoveMember($memberId: UUID!) {
    removeMember(input: { memberId: $memberId }) { result { rowId } }
  }
`,
);

export type IssuePasswordResetData = IssuePasswordResetMutation;
export type IssuePasswordResetVariables = IssuePasswordResetMutationVariables;

export const ISSUE_PASSWORD_RESET = typedDocument<IssuePasswordResetData, IssuePasswordResetVariables>(
  'IssuePasswordReset',
  /* GraphQL */ `
  mutation IssuePasswordReset($memberId: UUID!) {
    issuePasswordReset(input: { memberId: $memberId }) { result }
  }
`,
);

export type ChangePasswordData = ChangePasswordMutation;
export type ChangePasswordVariables = ChangePasswordMutationVariables;

export const CHANGE_PASSWORD = typedDocument<ChangePasswordData, ChangePasswordVariables>(
  'ChangePassword',
  /* GraphQL */ `
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(input: { currentPassword: $currentPassword, newPassword: $newPassword })
  }
`,
);

export type AcceptInvitationData = AcceptInvitationMutation;
export type AcceptInvitationVariables = AcceptInvitationMutationVariables;

export const ACCEPT_INVITATION = typedDocument<AcceptInvitationData, AcceptInvitationVariables>(
  'AcceptInvitation',
  /* GraphQL */ `
  mutation AcceptInvitation($token: String!, $name: String!, $password: String!) {
    acceptInvitation(input: { token: $token, name: $name, password: $password }) { jwtToken role }
  }
`,
);

export type ResetPasswordData = ResetPasswordMutation;
export type ResetPasswordVariables = ResetPasswordMutationVariables;

export const RESET_PASSWORD = typedDocument<ResetPasswordData, ResetPasswordVariables>(
  'ResetPassword',
  /* GraphQL */ `
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(input: { token: $token, password: $password }) { jwtToken role }
  }
`,
);
