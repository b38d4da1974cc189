/** Appointments: the list, status changes and rescheduling, and the booking KPIs (funnel per agent). */
import type {
  AppointmentListQuery, AppointmentListQueryVariables, BookingSummaryQuery, BookingSummaryQueryVariables,
  RescheduleAppointmentMutation, RescheduleAppointmentMutationVariables, UpdateAppointmentStatusMutation,
  UpdateAppointmentStatusMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type AppointmentListData = AppointmentListQuery;
export type AppointmentListVariables = AppointmentListQueryVariables;
export type AppointmentItem = NonNullable<NonNullable<AppointmentListQuery['appointmentList']>[number]>;

export const APPOINTMENT_LIST = typedDocument<AppointmentListData, AppointmentListVariables>(
  'AppointmentList',
  /* GraphQL */ `
  query AppointmentList($fromDate: Date, $toDate: Date, $statuses: [String], $agentId: UUID) {
    appointmentList(fromDate: $fromDate, toDate: $toDate, statuses: $statuses, agentId: $agentId, maxRows: 500) {
      rowId scheduledAt status source agentId callId phoneNumber contactName notes confirmedAt
    }
  }
`,
);

export type UpdateAppointmentStatusData = UpdateAppointmentStatusMutation;
export type UpdateAppointmentStatusVariables = UpdateAppointmentStatusMutationVariables;

export const UPDATE_APPOINTMENT_STATUS = typedDocument<UpdateAppointmentStatusData, UpdateAppointmentStatusVariables>(
  'UpdateAppointmentStatus',
  /* GraphQL */ `
  mutation UpdateAppointmentStatus($appointmentId: UUID!, $status: String!) {
    updateAppointmentStatus(input: { appointmentId: $appointmentId, status: $status }) { result { rowId status } }
  }
`,
);

export type RescheduleAppointmentData = RescheduleAppointmentMutation;
export type RescheduleAppointmentVariables = RescheduleAppointmentMutationVariables;

export const RESCHEDULE_APPOINTMENT = typedDocument<RescheduleAppointmentData, RescheduleAppointmentVariables>(
  'RescheduleAppointment',
  /* GraphQL */ `
  mutation RescheduleAppointment($appointmentId: UUID!, $scheduledAt: Datetime!) {
    rescheduleAppointment(input: { appointmentId: $appointmentId, scheduledAt: $scheduledAt }) { result { rowId status scheduledAt } }
  }
`,
);

export type BookingSummaryData = BookingSummaryQuery;
export type BookingSummaryVariables = BookingSummaryQueryVariables;
export type BookingRow = NonNullable<NonNullable<BookingSummaryQuery['bookingSummary']>[number]>;

export const BOOKING_SUMMARY = typedDocument<BookingSummaryData, BookingSummaryVariables>(
  'BookingSummary',
  /* GraphQL */ `
  query BookingSummary($fromDate: Date, $toDate: Date, $agentId: UUID) {
    bookingSummary(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) {
      agentId connectedCalls bookedCalls bookingRate appointments confirmed completed noShows cancelled pending
      showRate noShowRate
    }
  }
`,
);

export const APPOINTMENT_DOCUMENTS = [APPOINTMENT_LIST, UPDATE_APPOINTMENT_STATUS, RESCHEDULE_APPOINTMENT, BOOKING_SUMMARY] as const;
