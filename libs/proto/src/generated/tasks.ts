import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  AddDependenciesRequest as _claudine_v1_AddDependenciesRequest,
  AddDependenciesRequest__Output as _claudine_v1_AddDependenciesRequest__Output,
} from './claudine/v1/AddDependenciesRequest';
import type {
  AddDependenciesResponse as _claudine_v1_AddDependenciesResponse,
  AddDependenciesResponse__Output as _claudine_v1_AddDependenciesResponse__Output,
} from './claudine/v1/AddDependenciesResponse';
import type {
  AgentOptions as _claudine_v1_AgentOptions,
  AgentOptions__Output as _claudine_v1_AgentOptions__Output,
} from './claudine/v1/AgentOptions';
import type {
  Attempt as _claudine_v1_Attempt,
  Attempt__Output as _claudine_v1_Attempt__Output,
} from './claudine/v1/Attempt';
import type {
  AuditEntry as _claudine_v1_AuditEntry,
  AuditEntry__Output as _claudine_v1_AuditEntry__Output,
} from './claudine/v1/AuditEntry';
import type {
  CancelTaskRequest as _claudine_v1_CancelTaskRequest,
  CancelTaskRequest__Output as _claudine_v1_CancelTaskRequest__Output,
} from './claudine/v1/CancelTaskRequest';
import type {
  CancelTaskResponse as _claudine_v1_CancelTaskResponse,
  CancelTaskResponse__Output as _claudine_v1_CancelTaskResponse__Output,
} from './claudine/v1/CancelTaskResponse';
import type {
  ClusterServiceClient as _claudine_v1_ClusterServiceClient,
  ClusterServiceDefinition as _claudine_v1_ClusterServiceDefinition,
} from './claudine/v1/ClusterService';
import type {
  CollectWorktreesRequest as _claudine_v1_CollectWorktreesRequest,
  CollectWorktreesRequest__Output as _claudine_v1_CollectWorktreesRequest__Output,
} from './claudine/v1/CollectWorktreesRequest';
import type {
  CollectWorktreesResponse as _claudine_v1_CollectWorktreesResponse,
  CollectWorktreesResponse__Output as _claudine_v1_CollectWorktreesResponse__Output,
} from './claudine/v1/CollectWorktreesResponse';
import type {
  DelegateRequest as _claudine_v1_DelegateRequest,
  DelegateRequest__Output as _claudine_v1_DelegateRequest__Output,
} from './claudine/v1/DelegateRequest';
import type {
  DelegateResponse as _claudine_v1_DelegateResponse,
  DelegateResponse__Output as _claudine_v1_DelegateResponse__Output,
} from './claudine/v1/DelegateResponse';
import type {
  DependencyEdge as _claudine_v1_DependencyEdge,
  DependencyEdge__Output as _claudine_v1_DependencyEdge__Output,
} from './claudine/v1/DependencyEdge';
import type {
  DrainWorkerRequest as _claudine_v1_DrainWorkerRequest,
  DrainWorkerRequest__Output as _claudine_v1_DrainWorkerRequest__Output,
} from './claudine/v1/DrainWorkerRequest';
import type {
  DrainWorkerResponse as _claudine_v1_DrainWorkerResponse,
  DrainWorkerResponse__Output as _claudine_v1_DrainWorkerResponse__Output,
} from './claudine/v1/DrainWorkerResponse';
import type {
  GetPatchRequest as _claudine_v1_GetPatchRequest,
  GetPatchRequest__Output as _claudine_v1_GetPatchRequest__Output,
} from './claudine/v1/GetPatchRequest';
import type {
  GetPatchResponse as _claudine_v1_GetPatchResponse,
  GetPatchResponse__Output as _claudine_v1_GetPatchResponse__Output,
} from './claudine/v1/GetPatchResponse';
import type {
  GetScheduleRequest as _claudine_v1_GetScheduleRequest,
  GetScheduleRequest__Output as _claudine_v1_GetScheduleRequest__Output,
} from './claudine/v1/GetScheduleRequest';
import type {
  GetTaskRequest as _claudine_v1_GetTaskRequest,
  GetTaskRequest__Output as _claudine_v1_GetTaskRequest__Output,
} from './claudine/v1/GetTaskRequest';
import type {
  ListAuditRequest as _claudine_v1_ListAuditRequest,
  ListAuditRequest__Output as _claudine_v1_ListAuditRequest__Output,
} from './claudine/v1/ListAuditRequest';
import type {
  ListAuditResponse as _claudine_v1_ListAuditResponse,
  ListAuditResponse__Output as _claudine_v1_ListAuditResponse__Output,
} from './claudine/v1/ListAuditResponse';
import type {
  ListSchedulesRequest as _claudine_v1_ListSchedulesRequest,
  ListSchedulesRequest__Output as _claudine_v1_ListSchedulesRequest__Output,
} from './claudine/v1/ListSchedulesRequest';
import type {
  ListSchedulesResponse as _claudine_v1_ListSchedulesResponse,
  ListSchedulesResponse__Output as _claudine_v1_ListSchedulesResponse__Output,
} from './claudine/v1/ListSchedulesResponse';
import type {
  ListTasksRequest as _claudine_v1_ListTasksRequest,
  ListTasksRequest__Output as _claudine_v1_ListTasksRequest__Output,
} from './claudine/v1/ListTasksRequest';
import type {
  ListTasksResponse as _claudine_v1_ListTasksResponse,
  ListTasksResponse__Output as _claudine_v1_ListTasksResponse__Output,
} from './claudine/v1/ListTasksResponse';
import type {
  ListWorkersRequest as _claudine_v1_ListWorkersRequest,
  ListWorkersRequest__Output as _claudine_v1_ListWorkersRequest__Output,
} from './claudine/v1/ListWorkersRequest';
import type {
  ListWorkersResponse as _claudine_v1_ListWorkersResponse,
  ListWorkersResponse__Output as _claudine_v1_ListWorkersResponse__Output,
} from './claudine/v1/ListWorkersResponse';
import type {
  ListWorktreesRequest as _claudine_v1_ListWorktreesRequest,
  ListWorktreesRequest__Output as _claudine_v1_ListWorktreesRequest__Output,
} from './claudine/v1/ListWorktreesRequest';
import type {
  ListWorktreesResponse as _claudine_v1_ListWorktreesResponse,
  ListWorktreesResponse__Output as _claudine_v1_ListWorktreesResponse__Output,
} from './claudine/v1/ListWorktreesResponse';
import type {
  MergeResult as _claudine_v1_MergeResult,
  MergeResult__Output as _claudine_v1_MergeResult__Output,
} from './claudine/v1/MergeResult';
import type {
  ResumeTaskRequest as _claudine_v1_ResumeTaskRequest,
  ResumeTaskRequest__Output as _claudine_v1_ResumeTaskRequest__Output,
} from './claudine/v1/ResumeTaskRequest';
import type {
  ResumeTaskResponse as _claudine_v1_ResumeTaskResponse,
  ResumeTaskResponse__Output as _claudine_v1_ResumeTaskResponse__Output,
} from './claudine/v1/ResumeTaskResponse';
import type {
  RetryTaskRequest as _claudine_v1_RetryTaskRequest,
  RetryTaskRequest__Output as _claudine_v1_RetryTaskRequest__Output,
} from './claudine/v1/RetryTaskRequest';
import type {
  RetryTaskResponse as _claudine_v1_RetryTaskResponse,
  RetryTaskResponse__Output as _claudine_v1_RetryTaskResponse__Output,
} from './claudine/v1/RetryTaskResponse';
import type {
  Schedule as _claudine_v1_Schedule,
  Schedule__Output as _claudine_v1_Schedule__Output,
} from './claudine/v1/Schedule';
import type {
  ScheduleIdRequest as _claudine_v1_ScheduleIdRequest,
  ScheduleIdRequest__Output as _claudine_v1_ScheduleIdRequest__Output,
} from './claudine/v1/ScheduleIdRequest';
import type {
  ScheduleResponse as _claudine_v1_ScheduleResponse,
  ScheduleResponse__Output as _claudine_v1_ScheduleResponse__Output,
} from './claudine/v1/ScheduleResponse';
import type {
  ScheduleRun as _claudine_v1_ScheduleRun,
  ScheduleRun__Output as _claudine_v1_ScheduleRun__Output,
} from './claudine/v1/ScheduleRun';
import type {
  ScheduleServiceClient as _claudine_v1_ScheduleServiceClient,
  ScheduleServiceDefinition as _claudine_v1_ScheduleServiceDefinition,
} from './claudine/v1/ScheduleService';
import type {
  ScheduleTaskRequest as _claudine_v1_ScheduleTaskRequest,
  ScheduleTaskRequest__Output as _claudine_v1_ScheduleTaskRequest__Output,
} from './claudine/v1/ScheduleTaskRequest';
import type {
  Task as _claudine_v1_Task,
  Task__Output as _claudine_v1_Task__Output,
} from './claudine/v1/Task';
import type {
  TaskError as _claudine_v1_TaskError,
  TaskError__Output as _claudine_v1_TaskError__Output,
} from './claudine/v1/TaskError';
import type {
  TaskEvent as _claudine_v1_TaskEvent,
  TaskEvent__Output as _claudine_v1_TaskEvent__Output,
} from './claudine/v1/TaskEvent';
import type {
  TaskResult as _claudine_v1_TaskResult,
  TaskResult__Output as _claudine_v1_TaskResult__Output,
} from './claudine/v1/TaskResult';
import type {
  TaskServiceClient as _claudine_v1_TaskServiceClient,
  TaskServiceDefinition as _claudine_v1_TaskServiceDefinition,
} from './claudine/v1/TaskService';
import type {
  TaskSpec as _claudine_v1_TaskSpec,
  TaskSpec__Output as _claudine_v1_TaskSpec__Output,
} from './claudine/v1/TaskSpec';
import type {
  TokenUsage as _claudine_v1_TokenUsage,
  TokenUsage__Output as _claudine_v1_TokenUsage__Output,
} from './claudine/v1/TokenUsage';
import type {
  UpdateScheduleRequest as _claudine_v1_UpdateScheduleRequest,
  UpdateScheduleRequest__Output as _claudine_v1_UpdateScheduleRequest__Output,
} from './claudine/v1/UpdateScheduleRequest';
import type {
  WatchTaskRequest as _claudine_v1_WatchTaskRequest,
  WatchTaskRequest__Output as _claudine_v1_WatchTaskRequest__Output,
} from './claudine/v1/WatchTaskRequest';
import type {
  WorkerInfo as _claudine_v1_WorkerInfo,
  WorkerInfo__Output as _claudine_v1_WorkerInfo__Output,
} from './claudine/v1/WorkerInfo';
import type {
  WorktreeCollection as _claudine_v1_WorktreeCollection,
  WorktreeCollection__Output as _claudine_v1_WorktreeCollection__Output,
} from './claudine/v1/WorktreeCollection';
import type {
  WorktreeInfo as _claudine_v1_WorktreeInfo,
  WorktreeInfo__Output as _claudine_v1_WorktreeInfo__Output,
} from './claudine/v1/WorktreeInfo';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  claudine: {
    v1: {
      AddDependenciesRequest: MessageTypeDefinition<
        _claudine_v1_AddDependenciesRequest,
        _claudine_v1_AddDependenciesRequest__Output
      >;
      AddDependenciesResponse: MessageTypeDefinition<
        _claudine_v1_AddDependenciesResponse,
        _claudine_v1_AddDependenciesResponse__Output
      >;
      AgentOptions: MessageTypeDefinition<_claudine_v1_AgentOptions, _claudine_v1_AgentOptions__Output>;
      Attempt: MessageTypeDefinition<_claudine_v1_Attempt, _claudine_v1_Attempt__Output>;
      AuditEntry: MessageTypeDefinition<_claudine_v1_AuditEntry, _claudine_v1_AuditEntry__Output>;
      CancelTaskRequest: MessageTypeDefinition<
        _claudine_v1_CancelTaskRequest,
        _claudine_v1_CancelTaskRequest__Output
      >;
      CancelTaskResponse: MessageTypeDefinition<
        _claudine_v1_CancelTaskResponse,
        _claudine_v1_CancelTaskResponse__Output
      >;
      /**
       * The cluster: which workers are alive and what they run.
       */
      ClusterService: SubtypeConstructor<typeof grpc.Client, _claudine_v1_ClusterServiceClient> & {
        service: _claudine_v1_ClusterServiceDefinition;
      };
      CollectWorktreesRequest: MessageTypeDefinition<
        _claudine_v1_CollectWorktreesRequest,
        _claudine_v1_CollectWorktreesRequest__Output
      >;
      CollectWorktreesResponse: MessageTypeDefinition<
        _claudine_v1_CollectWorktreesResponse,
        _claudine_v1_CollectWorktreesResponse__Output
      >;
      DelegateRequest: MessageTypeDefinition<
        _claudine_v1_DelegateRequest,
        _claudine_v1_DelegateRequest__Output
      >;
      DelegateResponse: MessageTypeDefinition<
        _claudine_v1_DelegateResponse,
        _claudine_v1_DelegateResponse__Output
      >;
      DependencyEdge: MessageTypeDefinition<_claudine_v1_DependencyEdge, _claudine_v1_DependencyEdge__Output>;
      DrainWorkerRequest: MessageTypeDefinition<
        _claudine_v1_DrainWorkerRequest,
        _claudine_v1_DrainWorkerRequest__Output
      >;
      DrainWorkerResponse: MessageTypeDefinition<
        _claudine_v1_DrainWorkerResponse,
        _claudine_v1_DrainWorkerResponse__Output
      >;
      GetPatchRequest: MessageTypeDefinition<
        _claudine_v1_GetPatchRequest,
        _claudine_v1_GetPatchRequest__Output
      >;
      GetPatchResponse: MessageTypeDefinition<
        _claudine_v1_GetPatchResponse,
        _claudine_v1_GetPatchResponse__Output
      >;
      GetScheduleRequest: MessageTypeDefinition<
        _claudine_v1_GetScheduleRequest,
        _claudine_v1_GetScheduleRequest__Output
      >;
      GetTaskRequest: MessageTypeDefinition<_claudine_v1_GetTaskRequest, _claudine_v1_GetTaskRequest__Output>;
      ListAuditRequest: MessageTypeDefinition<
        _claudine_v1_ListAuditRequest,
        _claudine_v1_ListAuditRequest__Output
      >;
      ListAuditResponse: MessageTypeDefinition<
        _claudine_v1_ListAuditResponse,
        _claudine_v1_ListAuditResponse__Output
      >;
      ListSchedulesRequest: MessageTypeDefinition<
        _claudine_v1_ListSchedulesRequest,
        _claudine_v1_ListSchedulesRequest__Output
      >;
      ListSchedulesResponse: MessageTypeDefinition<
        _claudine_v1_ListSchedulesResponse,
        _claudine_v1_ListSchedulesResponse__Output
      >;
      ListTasksRequest: MessageTypeDefinition<
        _claudine_v1_ListTasksRequest,
        _claudine_v1_ListTasksRequest__Output
      >;
      ListTasksResponse: MessageTypeDefinition<
        _claudine_v1_ListTasksResponse,
        _claudine_v1_ListTasksResponse__Output
      >;
      ListWorkersRequest: MessageTypeDefinition<
        _claudine_v1_ListWorkersRequest,
        _claudine_v1_ListWorkersRequest__Output
      >;
      ListWorkersResponse: MessageTypeDefinition<
        _claudine_v1_ListWorkersResponse,
        _claudine_v1_ListWorkersResponse__Output
      >;
      ListWorktreesRequest: MessageTypeDefinition<
        _claudine_v1_ListWorktreesRequest,
        _claudine_v1_ListWorktreesRequest__Output
      >;
      ListWorktreesResponse: MessageTypeDefinition<
        _claudine_v1_ListWorktreesResponse,
        _claudine_v1_ListWorktreesResponse__Output
      >;
      MergeResult: MessageTypeDefinition<_claudine_v1_MergeResult, _claudine_v1_MergeResult__Output>;
      Priority: EnumTypeDefinition;
      ResumeMode: EnumTypeDefinition;
      ResumeTaskRequest: MessageTypeDefinition<
        _claudine_v1_ResumeTaskRequest,
        _claudine_v1_ResumeTaskRequest__Output
      >;
      ResumeTaskResponse: MessageTypeDefinition<
        _claudine_v1_ResumeTaskResponse,
        _claudine_v1_ResumeTaskResponse__Output
      >;
      RetryTaskRequest: MessageTypeDefinition<
        _claudine_v1_RetryTaskRequest,
        _claudine_v1_RetryTaskRequest__Output
      >;
      RetryTaskResponse: MessageTypeDefinition<
        _claudine_v1_RetryTaskResponse,
        _claudine_v1_RetryTaskResponse__Output
      >;
      Schedule: MessageTypeDefinition<_claudine_v1_Schedule, _claudine_v1_Schedule__Output>;
      ScheduleIdRequest: MessageTypeDefinition<
        _claudine_v1_ScheduleIdRequest,
        _claudine_v1_ScheduleIdRequest__Output
      >;
      ScheduleResponse: MessageTypeDefinition<
        _claudine_v1_ScheduleResponse,
        _claudine_v1_ScheduleResponse__Output
      >;
      ScheduleRun: MessageTypeDefinition<_claudine_v1_ScheduleRun, _claudine_v1_ScheduleRun__Output>;
      /**
       * Schedules: tasks that run on a cron, at a fixed interval, or once at a given time.
       */
      ScheduleService: SubtypeConstructor<typeof grpc.Client, _claudine_v1_ScheduleServiceClient> & {
        service: _claudine_v1_ScheduleServiceDefinition;
      };
      ScheduleTaskRequest: MessageTypeDefinition<
        _claudine_v1_ScheduleTaskRequest,
        _claudine_v1_ScheduleTaskRequest__Output
      >;
      Task: MessageTypeDefinition<_claudine_v1_Task, _claudine_v1_Task__Output>;
      TaskError: MessageTypeDefinition<_claudine_v1_TaskError, _claudine_v1_TaskError__Output>;
      TaskEvent: MessageTypeDefinition<_claudine_v1_TaskEvent, _claudine_v1_TaskEvent__Output>;
      TaskResult: MessageTypeDefinition<_claudine_v1_TaskResult, _claudine_v1_TaskResult__Output>;
      /**
       * Tasks: delegate a coding task, follow it, cancel it.
       */
      TaskService: SubtypeConstructor<typeof grpc.Client, _claudine_v1_TaskServiceClient> & {
        service: _claudine_v1_TaskServiceDefinition;
      };
      TaskSpec: MessageTypeDefinition<_claudine_v1_TaskSpec, _claudine_v1_TaskSpec__Output>;
      TaskState: EnumTypeDefinition;
      TokenUsage: MessageTypeDefinition<_claudine_v1_TokenUsage, _claudine_v1_TokenUsage__Output>;
      UpdateScheduleRequest: MessageTypeDefinition<
        _claudine_v1_UpdateScheduleRequest,
        _claudine_v1_UpdateScheduleRequest__Output
      >;
      WatchTaskRequest: MessageTypeDefinition<
        _claudine_v1_WatchTaskRequest,
        _claudine_v1_WatchTaskRequest__Output
      >;
      WorkerInfo: MessageTypeDefinition<_claudine_v1_WorkerInfo, _claudine_v1_WorkerInfo__Output>;
      WorktreeCollection: MessageTypeDefinition<
        _claudine_v1_WorktreeCollection,
        _claudine_v1_WorktreeCollection__Output
      >;
      WorktreeInfo: MessageTypeDefinition<_claudine_v1_WorktreeInfo, _claudine_v1_WorktreeInfo__Output>;
    };
  };
}
