/** The appointments page and the booking funnel: queries and mutations. */
import {
  APPOINTMENT_LIST, BOOKING_SUMMARY, RESCHEDULE_APPOINTMENT, UPDATE_APPOINTMENT_STATUS, type AppointmentListData,
  type AppointmentListVariables, type BookingSummaryData, type BookingSummaryVariables, type RescheduleAppointmentData,
  type RescheduleAppointmentVariables, type UpdateAppointmentStatusData, type UpdateAppointmentStatusVariables,
} from '../api/operations/appointments.ts';
import { useMutation, type MutationState } from './use-mutation.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useAppointmentList(variables: AppointmentListVariables): QueryState<AppointmentListData> {
  return useQuery(APPOINTMENT_LIST, variables);
}

export function useBookingSummary(variables: BookingSummaryVariables): QueryState<BookingSummaryData> {
  return useQuery(BOOKING_SUMMARY, variables);
}

export function useUpdateAppointmentStatus(): MutationState<UpdateAppointmentStatusData, UpdateAppointmentStatusVariables> {
  return useMutation(UPDATE_APPOINTMENT_STATUS);
}

export function useRescheduleAppointment(): MutationState<RescheduleAppointmentData, RescheduleAppointmentVariables> {
  return useMutation(RESCHEDULE_APPOINTMENT);
}
