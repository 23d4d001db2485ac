export { addReflection, loadClaudineApi, PROTO_FILES, PROTO_LOADER_OPTIONS, PROTO_ROOT } from './load';
export {
  eventFromProto,
  eventToProto,
  priorityFromProto,
  priorityToProto,
  scheduleSpecInputFromProto,
  scheduleToProto,
  specInputFromProto,
  specToProto,
  stateFromProto,
  stateToProto,
  taskFromProto,
  taskToProto,
} from './mappers';
export type { ProtoGrpcType } from './generated/tasks';
export type { TaskServiceClient, TaskServiceHandlers } from './generated/claudine/v1/TaskService';
export type { ClusterServiceClient, ClusterServiceHandlers } from './generated/claudine/v1/ClusterService';
export type { ScheduleServiceClient, ScheduleServiceHandlers } from './generated/claudine/v1/ScheduleService';
export type { Schedule as ProtoSchedule, Schedule__Output } from './generated/claudine/v1/Schedule';
export type {
  ScheduleTaskRequest__Output,
  ScheduleTaskRequest as ProtoScheduleTaskRequest,
} from './generated/claudine/v1/ScheduleTaskRequest';
export type { ScheduleResponse__Output } from './generated/claudine/v1/ScheduleResponse';
export type { ListSchedulesResponse__Output } from './generated/claudine/v1/ListSchedulesResponse';
export type { DelegateRequest__Output } from './generated/claudine/v1/DelegateRequest';
export type { DelegateResponse__Output } from './generated/claudine/v1/DelegateResponse';
export type { CancelTaskResponse__Output } from './generated/claudine/v1/CancelTaskResponse';
export type { ListTasksResponse__Output } from './generated/claudine/v1/ListTasksResponse';
export type { ListWorkersResponse__Output } from './generated/claudine/v1/ListWorkersResponse';
export type { DrainWorkerResponse__Output } from './generated/claudine/v1/DrainWorkerResponse';
export type { ResumeTaskResponse__Output } from './generated/claudine/v1/ResumeTaskResponse';
export type { GetPatchResponse__Output } from './generated/claudine/v1/GetPatchResponse';
export type { AddDependenciesResponse__Output } from './generated/claudine/v1/AddDependenciesResponse';
export type { RetryTaskResponse__Output } from './generated/claudine/v1/RetryTaskResponse';
export type { ListTasksRequest__Output } from './generated/claudine/v1/ListTasksRequest';
export type { TaskEvent as ProtoTaskEvent, TaskEvent__Output } from './generated/claudine/v1/TaskEvent';
export type { Task as ProtoTask, Task__Output } from './generated/claudine/v1/Task';
export type { TaskSpec as ProtoTaskSpec } from './generated/claudine/v1/TaskSpec';
export type { WorkerInfo as ProtoWorkerInfo, WorkerInfo__Output } from './generated/claudine/v1/WorkerInfo';
export type { AuditEntry__Output } from './generated/claudine/v1/AuditEntry';
export type { ListAuditResponse__Output } from './generated/claudine/v1/ListAuditResponse';
export {
  channelCredentials,
  ClusterClient,
  DEFAULT_ADDRESS,
  fromGrpcError,
} from './client';
export type {
  CollectWorktreesInput,
  ConnectOptions,
  WorktreeCollection,
  WorktreeInfo,
  WorktreeListing,
} from './client';
