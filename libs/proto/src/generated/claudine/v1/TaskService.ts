// Original file: proto/claudine/v1/tasks.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  AddDependenciesRequest as _claudine_v1_AddDependenciesRequest,
  AddDependenciesRequest__Output as _claudine_v1_AddDependenciesRequest__Output,
} from '../../claudine/v1/AddDependenciesRequest';
import type {
  AddDependenciesResponse as _claudine_v1_AddDependenciesResponse,
  AddDependenciesResponse__Output as _claudine_v1_AddDependenciesResponse__Output,
} from '../../claudine/v1/AddDependenciesResponse';
import type {
  CancelTaskRequest as _claudine_v1_CancelTaskRequest,
  CancelTaskRequest__Output as _claudine_v1_CancelTaskRequest__Output,
} from '../../claudine/v1/CancelTaskRequest';
import type {
  CancelTaskResponse as _claudine_v1_CancelTaskResponse,
  CancelTaskResponse__Output as _claudine_v1_CancelTaskResponse__Output,
} from '../../claudine/v1/CancelTaskResponse';
import type {
  DelegateRequest as _claudine_v1_DelegateRequest,
  DelegateRequest__Output as _claudine_v1_DelegateRequest__Output,
} from '../../claudine/v1/DelegateRequest';
import type {
  DelegateResponse as _claudine_v1_DelegateResponse,
  DelegateResponse__Output as _claudine_v1_DelegateResponse__Output,
} from '../../claudine/v1/DelegateResponse';
import type {
  GetPatchRequest as _claudine_v1_GetPatchRequest,
  GetPatchRequest__Output as _claudine_v1_GetPatchRequest__Output,
} from '../../claudine/v1/GetPatchRequest';
import type {
  GetPatchResponse as _claudine_v1_GetPatchResponse,
  GetPatchResponse__Output as _claudine_v1_GetPatchResponse__Output,
} from '../../claudine/v1/GetPatchResponse';
import type {
  GetTaskRequest as _claudine_v1_GetTaskRequest,
  GetTaskRequest__Output as _claudine_v1_GetTaskRequest__Output,
} from '../../claudine/v1/GetTaskRequest';
import type {
  ListTasksRequest as _claudine_v1_ListTasksRequest,
  ListTasksRequest__Output as _claudine_v1_ListTasksRequest__Output,
} from '../../claudine/v1/ListTasksRequest';
import type {
  ListTasksResponse as _claudine_v1_ListTasksResponse,
  ListTasksResponse__Output as _claudine_v1_ListTasksResponse__Output,
} from '../../claudine/v1/ListTasksResponse';
import type {
  ResumeTaskRequest as _claudine_v1_ResumeTaskRequest,
  ResumeTaskRequest__Output as _claudine_v1_ResumeTaskRequest__Output,
} from '../../claudine/v1/ResumeTaskRequest';
import type {
  ResumeTaskResponse as _claudine_v1_ResumeTaskResponse,
  ResumeTaskResponse__Output as _claudine_v1_ResumeTaskResponse__Output,
} from '../../claudine/v1/ResumeTaskResponse';
import type {
  RetryTaskRequest as _claudine_v1_RetryTaskRequest,
  RetryTaskRequest__Output as _claudine_v1_RetryTaskRequest__Output,
} from '../../claudine/v1/RetryTaskRequest';
import type {
  RetryTaskResponse as _claudine_v1_RetryTaskResponse,
  RetryTaskResponse__Output as _claudine_v1_RetryTaskResponse__Output,
} from '../../claudine/v1/RetryTaskResponse';
import type {
  Task as _claudine_v1_Task,
  Task__Output as _claudine_v1_Task__Output,
} from '../../claudine/v1/Task';
import type {
  TaskEvent as _claudine_v1_TaskEvent,
  TaskEvent__Output as _claudine_v1_TaskEvent__Output,
} from '../../claudine/v1/TaskEvent';
import type {
  WatchTaskRequest as _claudine_v1_WatchTaskRequest,
  WatchTaskRequest__Output as _claudine_v1_WatchTaskRequest__Output,
} from '../../claudine/v1/WatchTaskRequest';

/**
 * Tasks: delegate a coding task, follow it, cancel it.
 */
export interface TaskServiceClient extends grpc.Client {
  /**
   * Makes a task that is still blocked also wait for other tasks: all edges are written or none.
   * INVALID_ARGUMENT for an unknown id or limits, FAILED_PRECONDITION for a cycle (named) or a
   * task that is not blocked any more.
   */
  AddDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  AddDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  AddDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  AddDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Makes a task that is still blocked also wait for other tasks: all edges are written or none.
   * INVALID_ARGUMENT for an unknown id or limits, FAILED_PRECONDITION for a cycle (named) or a
   * task that is not blocked any more.
   */
  addDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  addDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  addDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;
  addDependencies(
    argument: _claudine_v1_AddDependenciesRequest,
    callback: grpc.requestCallback<_claudine_v1_AddDependenciesResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Cancels a queued or running task. FAILED_PRECONDITION when it already finished.
   */
  Cancel(
    argument: _claudine_v1_CancelTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Cancel(
    argument: _claudine_v1_CancelTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Cancel(
    argument: _claudine_v1_CancelTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Cancel(
    argument: _claudine_v1_CancelTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Cancels a queued or running task. FAILED_PRECONDITION when it already finished.
   */
  cancel(
    argument: _claudine_v1_CancelTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancel(
    argument: _claudine_v1_CancelTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancel(
    argument: _claudine_v1_CancelTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  cancel(
    argument: _claudine_v1_CancelTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_CancelTaskResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Validates the request, then writes the task record and its queue entry in one transaction.
   */
  Delegate(
    argument: _claudine_v1_DelegateRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  Delegate(
    argument: _claudine_v1_DelegateRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  Delegate(
    argument: _claudine_v1_DelegateRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  Delegate(
    argument: _claudine_v1_DelegateRequest,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Validates the request, then writes the task record and its queue entry in one transaction.
   */
  delegate(
    argument: _claudine_v1_DelegateRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  delegate(
    argument: _claudine_v1_DelegateRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  delegate(
    argument: _claudine_v1_DelegateRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;
  delegate(
    argument: _claudine_v1_DelegateRequest,
    callback: grpc.requestCallback<_claudine_v1_DelegateResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * One task. NOT_FOUND when the id is unknown.
   */
  Get(
    argument: _claudine_v1_GetTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  Get(
    argument: _claudine_v1_GetTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  Get(
    argument: _claudine_v1_GetTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  Get(
    argument: _claudine_v1_GetTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * One task. NOT_FOUND when the id is unknown.
   */
  get(
    argument: _claudine_v1_GetTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  get(
    argument: _claudine_v1_GetTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  get(
    argument: _claudine_v1_GetTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;
  get(
    argument: _claudine_v1_GetTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_Task__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * The patch (git format-patch) of a task's work: kept for merge strategy `patch` and as the
   * backup written before every `auto` merge. NOT_FOUND when the task has none.
   */
  GetPatch(
    argument: _claudine_v1_GetPatchRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetPatch(
    argument: _claudine_v1_GetPatchRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetPatch(
    argument: _claudine_v1_GetPatchRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetPatch(
    argument: _claudine_v1_GetPatchRequest,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The patch (git format-patch) of a task's work: kept for merge strategy `patch` and as the
   * backup written before every `auto` merge. NOT_FOUND when the task has none.
   */
  getPatch(
    argument: _claudine_v1_GetPatchRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  getPatch(
    argument: _claudine_v1_GetPatchRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  getPatch(
    argument: _claudine_v1_GetPatchRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;
  getPatch(
    argument: _claudine_v1_GetPatchRequest,
    callback: grpc.requestCallback<_claudine_v1_GetPatchResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Tasks, newest first, optionally filtered by state, one page at a time.
   */
  List(
    argument: _claudine_v1_ListTasksRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  List(
    argument: _claudine_v1_ListTasksRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  List(
    argument: _claudine_v1_ListTasksRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  List(
    argument: _claudine_v1_ListTasksRequest,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Tasks, newest first, optionally filtered by state, one page at a time.
   */
  list(
    argument: _claudine_v1_ListTasksRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  list(
    argument: _claudine_v1_ListTasksRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  list(
    argument: _claudine_v1_ListTasksRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;
  list(
    argument: _claudine_v1_ListTasksRequest,
    callback: grpc.requestCallback<_claudine_v1_ListTasksResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Continues a finished task: the same Claude session (--resume) on the worker that holds its
   * transcript when that worker is alive, else a new session given the previous attempt's context.
   */
  Resume(
    argument: _claudine_v1_ResumeTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Resume(
    argument: _claudine_v1_ResumeTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Resume(
    argument: _claudine_v1_ResumeTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Resume(
    argument: _claudine_v1_ResumeTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Continues a finished task: the same Claude session (--resume) on the worker that holds its
   * transcript when that worker is alive, else a new session given the previous attempt's context.
   */
  resume(
    argument: _claudine_v1_ResumeTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  resume(
    argument: _claudine_v1_ResumeTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  resume(
    argument: _claudine_v1_ResumeTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  resume(
    argument: _claudine_v1_ResumeTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_ResumeTaskResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A new task with the same spec as a finished one, linked to it (retry_of).
   */
  Retry(
    argument: _claudine_v1_RetryTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Retry(
    argument: _claudine_v1_RetryTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Retry(
    argument: _claudine_v1_RetryTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  Retry(
    argument: _claudine_v1_RetryTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * A new task with the same spec as a finished one, linked to it (retry_of).
   */
  retry(
    argument: _claudine_v1_RetryTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  retry(
    argument: _claudine_v1_RetryTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  retry(
    argument: _claudine_v1_RetryTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  retry(
    argument: _claudine_v1_RetryTaskRequest,
    callback: grpc.requestCallback<_claudine_v1_RetryTaskResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Streams one task's events from an offset. With follow, the stream ends after the task's final state event.
   */
  Watch(
    argument: _claudine_v1_WatchTaskRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_claudine_v1_TaskEvent__Output>;
  Watch(
    argument: _claudine_v1_WatchTaskRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_claudine_v1_TaskEvent__Output>;
  /**
   * Streams one task's events from an offset. With follow, the stream ends after the task's final state event.
   */
  watch(
    argument: _claudine_v1_WatchTaskRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_claudine_v1_TaskEvent__Output>;
  watch(
    argument: _claudine_v1_WatchTaskRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_claudine_v1_TaskEvent__Output>;
}

/**
 * Tasks: delegate a coding task, follow it, cancel it.
 */
export interface TaskServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Makes a task that is still blocked also wait for other tasks: all edges are written or none.
   * INVALID_ARGUMENT for an unknown id or limits, FAILED_PRECONDITION for a cycle (named) or a
   * task that is not blocked any more.
   */
  AddDependencies: grpc.handleUnaryCall<
    _claudine_v1_AddDependenciesRequest__Output,
    _claudine_v1_AddDependenciesResponse
  >;

  /**
   * Cancels a queued or running task. FAILED_PRECONDITION when it already finished.
   */
  Cancel: grpc.handleUnaryCall<_claudine_v1_CancelTaskRequest__Output, _claudine_v1_CancelTaskResponse>;

  /**
   * Validates the request, then writes the task record and its queue entry in one transaction.
   */
  Delegate: grpc.handleUnaryCall<_claudine_v1_DelegateRequest__Output, _claudine_v1_DelegateResponse>;

  /**
   * One task. NOT_FOUND when the id is unknown.
   */
  Get: grpc.handleUnaryCall<_claudine_v1_GetTaskRequest__Output, _claudine_v1_Task>;

  /**
   * The patch (git format-patch) of a task's work: kept for merge strategy `patch` and as the
   * backup written before every `auto` merge. NOT_FOUND when the task has none.
   */
  GetPatch: grpc.handleUnaryCall<_claudine_v1_GetPatchRequest__Output, _claudine_v1_GetPatchResponse>;

  /**
   * Tasks, newest first, optionally filtered by state, one page at a time.
   */
  List: grpc.handleUnaryCall<_claudine_v1_ListTasksRequest__Output, _claudine_v1_ListTasksResponse>;

  /**
   * Continues a finished task: the same Claude session (--resume) on the worker that holds its
   * transcript when that worker is alive, else a new session given the previous attempt's context.
   */
  Resume: grpc.handleUnaryCall<_claudine_v1_ResumeTaskRequest__Output, _claudine_v1_ResumeTaskResponse>;

  /**
   * A new task with the same spec as a finished one, linked to it (retry_of).
   */
  Retry: grpc.handleUnaryCall<_claudine_v1_RetryTaskRequest__Output, _claudine_v1_RetryTaskResponse>;

  /**
   * Streams one task's events from an offset. With follow, the stream ends after the task's final state event.
   */
  Watch: grpc.handleServerStreamingCall<_claudine_v1_WatchTaskRequest__Output, _claudine_v1_TaskEvent>;
}

export interface TaskServiceDefinition extends grpc.ServiceDefinition {
  AddDependencies: MethodDefinition<
    _claudine_v1_AddDependenciesRequest,
    _claudine_v1_AddDependenciesResponse,
    _claudine_v1_AddDependenciesRequest__Output,
    _claudine_v1_AddDependenciesResponse__Output
  >;
  Cancel: MethodDefinition<
    _claudine_v1_CancelTaskRequest,
    _claudine_v1_CancelTaskResponse,
    _claudine_v1_CancelTaskRequest__Output,
    _claudine_v1_CancelTaskResponse__Output
  >;
  Delegate: MethodDefinition<
    _claudine_v1_DelegateRequest,
    _claudine_v1_DelegateResponse,
    _claudine_v1_DelegateRequest__Output,
    _claudine_v1_DelegateResponse__Output
  >;
  Get: MethodDefinition<
    _claudine_v1_GetTaskRequest,
    _claudine_v1_Task,
    _claudine_v1_GetTaskRequest__Output,
    _claudine_v1_Task__Output
  >;
  GetPatch: MethodDefinition<
    _claudine_v1_GetPatchRequest,
    _claudine_v1_GetPatchResponse,
    _claudine_v1_GetPatchRequest__Output,
    _claudine_v1_GetPatchResponse__Output
  >;
  List: MethodDefinition<
    _claudine_v1_ListTasksRequest,
    _claudine_v1_ListTasksResponse,
    _claudine_v1_ListTasksRequest__Output,
    _claudine_v1_ListTasksResponse__Output
  >;
  Resume: MethodDefinition<
    _claudine_v1_ResumeTaskRequest,
    _claudine_v1_ResumeTaskResponse,
    _claudine_v1_ResumeTaskRequest__Output,
    _claudine_v1_ResumeTaskResponse__Output
  >;
  Retry: MethodDefinition<
    _claudine_v1_RetryTaskRequest,
    _claudine_v1_RetryTaskResponse,
    _claudine_v1_RetryTaskRequest__Output,
    _claudine_v1_RetryTaskResponse__Output
  >;
  Watch: MethodDefinition<
    _claudine_v1_WatchTaskRequest,
    _claudine_v1_TaskEvent,
    _claudine_v1_WatchTaskRequest__Output,
    _claudine_v1_TaskEvent__Output
  >;
}
