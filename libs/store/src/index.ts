export { createKeyspace, DEFAULT_KEY_PREFIX } from './keyspace';
export type { Keyspace } from './keyspace';
export {
  assertNoEviction,
  closeRedis,
  createRedisConnection,
  isClusterConnection,
  waitForRedis,
} from './connection';
export type { ConnectionRole, RedisConnectionOptions } from './connection';
export { Lease } from './lease';
export type { LeaseEvents, LeaseOptions } from './lease';
export {
  addTaskJobToTransaction,
  createTaskQueue,
  openQueueTransaction,
  RUN_TASK_JOB,
  TASK_QUEUE_NAME,
  taskJobOptions,
  workerQueueName,
} from './task-queue';
export type { TaskJobData, TaskQueue } from './task-queue';
export { decodeTask, DEFAULT_MAX_EVENT_BYTES_PER_TASK, TaskStore } from './task-store';
export {
  AFFINITY_KEY_TTL_MS,
  chooseRoute,
  fallbackQueueName,
  NO_AFFINITY_DEADLINE,
  noCapableWorkerReason,
  readRequirementSets,
  REQUIREMENT_QUEUE_PREFIX,
  requirementQueueName,
  TaskQueues,
  workerCanTake,
  workerIdOfQueue,
} from './task-routing';
export type { PreferredWorker, TaskRoute } from './task-routing';
export { RoutingStore } from './routing-store';
export type { AffinityRoutedTask, RerouteOutcome, RoutedTaskInfo } from './routing-store';
export { TaskGraph } from './task-graph';
export { AuditLog, DEFAULT_AUDIT_MAX_ENTRIES } from './audit-log';
export type { AuditEntry, AuditLogOptions } from './audit-log';
export { ScheduleStore } from './schedule-store';
export type { FireRecord } from './schedule-store';
export type { CreateWithDependenciesOutcome, ReleaseRouter, TaskGraphOptions } from './task-graph';
export type {
  AttemptFence,
  CancelResult,
  FinishAttemptInput,
  FinishAttemptOutcome,
  RequeueAttemptOutcome,
  ListTasksInput,
  TaskLinks,
  StartAttemptResult,
  StoredPatch,
  TaskStoreOptions,
} from './task-store';
export { lastEventOffset, readTaskEvents, tailStartOffset } from './task-events';
export type { ReadEventsOptions } from './task-events';
export {
  DEFAULT_DEAD_RETENTION_MS,
  DrainMessageSchema,
  subscribeToDrains,
  WORKER_STATES,
  WorkerHeartbeatSchema,
  WorkerRegistry,
} from './worker-registry';
export type {
  DrainMessage,
  ListedWorker,
  ListedWorkerState,
  WorkerHeartbeat,
  WorkerHeartbeatInput,
  WorkerRegistryOptions,
  WorkerState,
} from './worker-registry';
export { CancelMessageSchema, publishCancel, subscribeToCancels } from './cancel-channel';
export type { CancelMessage } from './cancel-channel';
export {
  nextWorktreeGcReply,
  publishWorktreeGc,
  readWorktreeInventories,
  removeWorktreeInventory,
  replyToWorktreeGc,
  subscribeToWorktreeGc,
  touchWorktreeInventory,
  WORKTREE_GC_REPLY_TTL_SECONDS,
  WorktreeCollectionSchema,
  WorktreeGcRequestSchema,
  WorktreeInventorySchema,
  WorktreeRecordSchema,
  writeWorktreeInventory,
} from './worktree-inventory';
export type {
  ParsedWorktreeGcRequest,
  WorktreeCollection,
  WorktreeGcRequest,
  WorktreeInventory,
  WorktreeRecord,
} from './worktree-inventory';
