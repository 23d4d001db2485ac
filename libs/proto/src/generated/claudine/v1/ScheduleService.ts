// Original file: proto/claudine/v1/tasks.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  GetScheduleRequest as _claudine_v1_GetScheduleRequest,
  GetScheduleRequest__Output as _claudine_v1_GetScheduleRequest__Output,
} from '../../claudine/v1/GetScheduleRequest';
import type {
  ListSchedulesRequest as _claudine_v1_ListSchedulesRequest,
  ListSchedulesRequest__Output as _claudine_v1_ListSchedulesRequest__Output,
} from '../../claudine/v1/ListSchedulesRequest';
import type {
  ListSchedulesResponse as _claudine_v1_ListSchedulesResponse,
  ListSchedulesResponse__Output as _claudine_v1_ListSchedulesResponse__Output,
} from '../../claudine/v1/ListSchedulesResponse';
import type {
  ScheduleIdRequest as _claudine_v1_ScheduleIdRequest,
  ScheduleIdRequest__Output as _claudine_v1_ScheduleIdRequest__Output,
} from '../../claudine/v1/ScheduleIdRequest';
import type {
  ScheduleResponse as _claudine_v1_ScheduleResponse,
  ScheduleResponse__Output as _claudine_v1_ScheduleResponse__Output,
} from '../../claudine/v1/ScheduleResponse';
import type {
  ScheduleTaskRequest as _claudine_v1_ScheduleTaskRequest,
  ScheduleTaskRequest__Output as _claudine_v1_ScheduleTaskRequest__Output,
} from '../../claudine/v1/ScheduleTaskRequest';
import type {
  UpdateScheduleRequest as _claudine_v1_UpdateScheduleRequest,
  UpdateScheduleRequest__Output as _claudine_v1_UpdateScheduleRequest__Output,
} from '../../claudine/v1/UpdateScheduleRequest';

/**
 * Schedules: tasks that run on a cron, at a fixed interval, or once at a given time.
 */
export interface ScheduleServiceClient extends grpc.Client {
  CancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  CancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  CancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  CancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancelSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;

  GetSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  getSchedule(
    argument: _claudine_v1_GetScheduleRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listSchedules(
    argument: _claudine_v1_ListSchedulesRequest,
    callback: grpc.requestCallback<_claudine_v1_ListSchedulesResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Keeps run_count and history; a resumed schedule does not fire the runs missed while paused,
   * unless its missed-run policy is catchup.
   */
  PauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  PauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  PauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  PauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Keeps run_count and history; a resumed schedule does not fire the runs missed while paused,
   * unless its missed-run policy is catchup.
   */
  pauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  pauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  pauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  pauseSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;

  ResumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  ResumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  ResumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  ResumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  resumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  resumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  resumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  resumeSchedule(
    argument: _claudine_v1_ScheduleIdRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Validates the request (the cron expression with the parser's message, the time zone, a past
   * run_at, expires_at before the first run, max_runs < 1: INVALID_ARGUMENT naming the field),
   * then writes the schedule and its first fire. Returns it with its next fire times.
   */
  ScheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  ScheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  ScheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  ScheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Validates the request (the cron expression with the parser's message, the time zone, a past
   * run_at, expires_at before the first run, max_runs < 1: INVALID_ARGUMENT naming the field),
   * then writes the schedule and its first fire. Returns it with its next fire times.
   */
  scheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  scheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  scheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  scheduleTask(
    argument: _claudine_v1_ScheduleTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Replaces an active or paused schedule's spec (validated as ScheduleTask's), keeping its run
   * count and history; an active one fires next by its new timing.
   */
  UpdateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  UpdateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  UpdateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  UpdateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Replaces an active or paused schedule's spec (validated as ScheduleTask's), keeping its run
   * count and history; an active one fires next by its new timing.
   */
  updateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  updateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  updateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
  updateSchedule(
    argument: _claudine_v1_UpdateScheduleRequest,
    callback: grpc.requestCallback<_claudine_v1_ScheduleResponse__Output>,
  ): grpc.ClientUnaryCall;
}

/**
 * Schedules: tasks that run on a cron, at a fixed interval, or once at a given time.
 */
export interface ScheduleServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelSchedule: grpc.handleUnaryCall<_claudine_v1_ScheduleIdRequest__Output, _claudine_v1_ScheduleResponse>;

  GetSchedule: grpc.handleUnaryCall<_claudine_v1_GetScheduleRequest__Output, _claudine_v1_ScheduleResponse>;

  ListSchedules: grpc.handleUnaryCall<
    _claudine_v1_ListSchedulesRequest__Output,
    _claudine_v1_ListSchedulesResponse
  >;

  /**
   * Keeps run_count and history; a resumed schedule does not fire the runs missed while paused,
   * unless its missed-run policy is catchup.
   */
  PauseSchedule: grpc.handleUnaryCall<_claudine_v1_ScheduleIdRequest__Output, _claudine_v1_ScheduleResponse>;

  ResumeSchedule: grpc.handleUnaryCall<_claudine_v1_ScheduleIdRequest__Output, _claudine_v1_ScheduleResponse>;

  /**
   * Validates the request (the cron expression with the parser's message, the time zone, a past
   * run_at, expires_at before the first run, max_runs < 1: INVALID_ARGUMENT naming the field),
   * then writes the schedule and its first fire. Returns it with its next fire times.
   */
  ScheduleTask: grpc.handleUnaryCall<_claudine_v1_ScheduleTaskRequest__Output, _claudine_v1_ScheduleResponse>;

  /**
   * Replaces an active or paused schedule's spec (validated as ScheduleTask's), keeping its run
   * count and history; an active one fires next by its new timing.
   */
  UpdateSchedule: grpc.handleUnaryCall<
    _claudine_v1_UpdateScheduleRequest__Output,
    _claudine_v1_ScheduleResponse
  >;
}

export interface ScheduleServiceDefinition extends grpc.ServiceDefinition {
  CancelSchedule: MethodDefinition<
    _claudine_v1_ScheduleIdRequest,
    _claudine_v1_ScheduleResponse,
    _claudine_v1_ScheduleIdRequest__Output,
    _claudine_v1_ScheduleResponse__Output
  >;
  GetSchedule: MethodDefinition<
    _claudine_v1_GetScheduleRequest,
    _claudine_v1_ScheduleResponse,
    _claudine_v1_GetScheduleRequest__Output,
    _claudine_v1_ScheduleResponse__Output
  >;
  ListSchedules: MethodDefinition<
    _claudine_v1_ListSchedulesRequest,
    _claudine_v1_ListSchedulesResponse,
    _claudine_v1_ListSchedulesRequest__Output,
    _claudine_v1_ListSchedulesResponse__Output
  >;
  PauseSchedule: MethodDefinition<
    _claudine_v1_ScheduleIdRequest,
    _claudine_v1_ScheduleResponse,
    _claudine_v1_ScheduleIdRequest__Output,
    _claudine_v1_ScheduleResponse__Output
  >;
  ResumeSchedule: MethodDefinition<
    _claudine_v1_ScheduleIdRequest,
    _claudine_v1_ScheduleResponse,
    _claudine_v1_ScheduleIdRequest__Output,
    _claudine_v1_ScheduleResponse__Output
  >;
  ScheduleTask: MethodDefinition<
    _claudine_v1_ScheduleTaskRequest,
    _claudine_v1_ScheduleResponse,
    _claudine_v1_ScheduleTaskRequest__Output,
    _claudine_v1_ScheduleResponse__Output
  >;
  UpdateSchedule: MethodDefinition<
    _claudine_v1_UpdateScheduleRequest,
    _claudine_v1_ScheduleResponse,
    _claudine_v1_UpdateScheduleRequest__Output,
    _claudine_v1_ScheduleResponse__Output
  >;
}
