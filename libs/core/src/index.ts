export { AppError, assertNever, errorMessage, ERROR_CODES } from './errors';
export type { AppErrorOptions, ErrorCode } from './errors';
export { formatZodIssues, parseOrThrow } from './validation';
export { formatByteSize, parseByteSize } from './byte-size';
export { formatDuration, parseDuration } from './duration';
export {
  AgentOptionsSchema,
  ATTEMPT_OUTCOMES,
  AttemptSchema,
  BULLMQ_PRIORITY,
  MERGE_OUTCOMES,
  MERGE_STRATEGIES,
  MergeResultSchema,
  MergeStrategySchema,
  WORKTREE_CLEANUPS,
  WorktreeCleanupSchema,
  classifyRepository,
  REPOSITORY_URL_SCHEMES,
  repositoryUrlScheme,
  GitRefSchema,
  isTerminalState,
  newTaskId,
  PERMISSION_MODES,
  PermissionModeSchema,
  PRIORITIES,
  PrioritySchema,
  RepositorySchema,
  TASK_LIMITS,
  TASK_STATES,
  DEPENDENCY_FAILURE_POLICIES,
  DependencyFailurePolicySchema,
  EDGE_STATES,
  dependencyIds,
  TaskErrorSchema,
  TaskIdSchema,
  TaskResultSchema,
  taskBranchName,
  TaskSpecSchema,
  TaskStateSchema,
  TERMINAL_STATES,
  TokenUsageSchema,
  WorkingDirectorySchema,
} from './task';
export type {
  AgentOptions,
  Attempt,
  AttemptOutcome,
  MergeResult,
  MergeStrategy,
  WorktreeCleanup,
  PermissionMode,
  Priority,
  RepositoryLocation,
  RepositoryUrlScheme,
  ResumePlan,
  Task,
  TaskError,
  TaskResult,
  TaskSpec,
  DependencyEdge,
  DependencyFailurePolicy,
  EdgeState,
  TaskSpecInput,
  TaskState,
  TokenUsage,
} from './task';
export {
  AFFINITY_MAX_CHARS,
  AffinitySchema,
  hasLabels,
  MAX_REQUIRED_LABELS,
  normalizeLabels,
  RequiredLabelsSchema,
  WORKER_LABEL_PATTERN,
  WorkerLabelSchema,
} from './worker-labels';
export type { NewTaskEvent, TaskEvent, TaskEventData, TaskEventType } from './events';
export { EnvBoolean, EnvList, envInt, parseEnv } from './env';
export {
  DEFAULT_REDIS_URL,
  parseRedisUrl,
  REDIS_URL_SCHEMES,
  RedisEnvShape,
  redisUrlFromEnv,
} from './redis-config';
export type { RedisEnv, RedisHostPort, RedisTarget } from './redis-config';
export { canSee, DEFAULT_TENANT, SYSTEM_CALLER, TenantSchema } from './tenant';
export type { Caller } from './tenant';
export { formatTranscriptEvent } from './transcript';
export {
  MISSED_RUN_POLICIES,
  SCHEDULE_CONCURRENCIES,
  SCHEDULE_LIMITS,
  SCHEDULE_STATES,
  ScheduleIdSchema,
  ScheduleSpecSchema,
  timingOf,
} from './schedule';
export type { Schedule, ScheduleRun, ScheduleSpec, ScheduleSpecInput, ScheduleState } from './schedule';
export {
  CronExpressionSchema,
  fireTimesBetween,
  formatFireTime,
  nextFireTimes,
  TimeZoneSchema,
} from './schedule-time';
export type { ScheduleTiming } from './schedule-time';
