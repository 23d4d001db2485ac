export { createKeyspace, DEFAULT_KEY_PREFIX } from './keyspace';
export type { Keyspace } from './keyspace';
export { closeRedis, createRedisConnection, waitForRedis } from './connection';
export type { ConnectionRole, RedisConnectionOptions } from './connection';
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
export { TaskGraph } from './task-graph';
export { ScheduleStore } from './schedule-store';
export type { FireRecord } from './schedule-store';
export type { CreateWithDependenciesOutcome, TaskGraphOptions } from './task-graph';
export type {
  CancelResult,
  FinishAttemptInput,
  ListTasksInput,
  TaskLinks,
  StartAttemptResult,
  StoredPatch,
  TaskStoreOptions,
} from './task-store';
export { lastEventOffset, readTaskEvents, tailStartOffset } from './task-events';
export type { ReadEventsOptions } from './task-events';
export { WorkerHeartbeatSchema, WorkerRegistry } from './worker-registry';
export type { WorkerHeartbeat } from './worker-registry';
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
