export { createGrpcBackend } from './backend';
export type { ClaudineBackend, GrpcBackendOptions } from './backend';
export { createClaudineMcpServer, TOOL_NAMES } from './server';
export type { ClaudineMcpServerOptions, ToolName } from './server';
export type { McpDefaults, RepositoryReachability } from './task-spec';
export {
  CancelTaskInput,
  DelegateTaskInput,
  GetScheduleInput,
  LIST_LIMITS,
  ListSchedulesInput,
  ListWorkersInput,
  LOGS_LIMITS,
  ResumeTaskInput,
  RetryTaskInput,
  ScheduleIdInput,
  ScheduleTaskInput,
  TaskLogsInput,
  TaskStatusInput,
  WAIT_LIMITS,
  WaitForTaskInput,
} from './schemas';
export { renderToolReference, TOOL_REFERENCE_MARKERS } from './tool-reference';
