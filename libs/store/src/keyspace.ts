import type { TaskState } from '@claudine/core';

/**
 * Every Redis key Claudine writes, in one place. The prefix carries a hash tag (`{claudine}`)
 * so that a task's keys, its indexes and the BullMQ queue share one Redis Cluster slot: the
 * transactions and Lua scripts below touch several of them at once.
 *
 *   {p}:task:<id>               hash    the task record (spec, state, timestamps, result, error)
 *   {p}:task:<id>:attempts      list    one JSON entry per attempt
 *   {p}:task:<id>:events        stream  numbered events (ids 0-<offset>), capped
 *   {p}:task:<id>:patch         hash    the task's patch (patch, baseCommit, headCommit), when kept
 *   {p}:task:<id>:deps          hash    dependency id → edge state (pending, completed, failed, cancelled)
 *   {p}:task:<id>:dependents    set     the tasks that depend on it
 *   {p}:ready                   zset    blocked tasks whose dependencies are done, to be queued
 *   {p}:released                channel wakes the releasers when tasks become ready
 *   {p}:schedule:<id>           hash    a schedule (spec, state, runCount, lastFireAt, nextFireAt, lastTaskId)
 *   {p}:schedule:<id>:runs      list    its history, newest last, capped
 *   {p}:schedules               zset    every schedule id, by creation time
 *   {p}:schedules:state:<s>     zset    schedule ids in one state
 *   {p}:index:all               zset    every task id, scored by creation time
 *   {p}:index:state:<state>     zset    task ids in one state, scored by creation time
 *   {p}:worker:<id>             string  a worker's heartbeat (JSON), expires when it stops beating
 *   {p}:workers                 zset    worker ids, scored by last heartbeat
 *   {p}:workers:last            hash    worker id → its last heartbeat (JSON), to list dead workers for a while
 *   {p}:workers:drain           hash    worker id → drain request (JSON), until undone or the worker leaves
 *   {p}:workers:drain           channel drain requests and undos, by worker id (same name, another namespace)
 *   {p}:worker:<id>:worktrees   string  a worker's kept worktrees (JSON inventory), expires with its heartbeat
 *   {p}:cancel                  channel cancellation requests for running tasks
 *   {p}:worktrees:gc            channel worktree collection requests, to one worker or all
 *   {p}:worktrees:gc:<request>  list    the workers' answers to one collection request, expires after 60 s
 *   {p}:lease:coordinator      string  the coordinator lease: the holder's id, with a TTL (see lease.ts)
 *   {p}:audit                   stream  the audit trail of mutating API calls (who, what, when, from where), capped
 *   {p}:requirement-sets        hash    requirement queue name → JSON labels it needs (see task-routing.ts)
 *   {p}:requirement-sets:new    channel a requirement set was first seen: workers recompute their queues
 *   {p}:affinity:<key>          string  the worker that last started a task with this affinity key (7 days)
 *   {p}:affinity-routed         zset    tasks routed to a preferred worker's queue, scored by their fallback deadline
 *   {p}:waiting                 set     queued tasks that carry a waitingReason
 *   {p}:bull:<queue>:...        BullMQ's own keys
 */
export interface Keyspace {
  readonly prefix: string;
  readonly bullPrefix: string;
  task(taskId: string): string;
  attempts(taskId: string): string;
  events(taskId: string): string;
  patch(taskId: string): string;
  dependencies(taskId: string): string;
  dependents(taskId: string): string;
  readonly readyTasks: string;
  readonly releasedChannel: string;
  schedule(scheduleId: string): string;
  scheduleRuns(scheduleId: string): string;
  readonly allSchedules: string;
  schedulesInState(state: string): string;
  readonly allTasks: string;
  tasksInState(state: TaskState): string;
  worker(workerId: string): string;
  readonly workers: string;
  readonly workersLastBeat: string;
  readonly workersDrain: string;
  workerWorktrees(workerId: string): string;
  readonly cancelChannel: string;
  readonly worktreeGcChannel: string;
  worktreeGcReplies(requestId: string): string;
  readonly coordinatorLease: string;
  readonly requirementSets: string;
  readonly requirementSetsChannel: string;
  affinity(key: string): string;
  readonly affinityRouted: string;
  readonly waitingTasks: string;
  readonly audit: string;
}

export const DEFAULT_KEY_PREFIX = '{claudine}';

export function createKeyspace(prefix: string = DEFAULT_KEY_PREFIX): Keyspace {
  return {
    prefix,
    bullPrefix: `${prefix}:bull`,
    task: (taskId) => `${prefix}:task:${taskId}`,
    attempts: (taskId) => `${prefix}:task:${taskId}:attempts`,
    events: (taskId) => `${prefix}:task:${taskId}:events`,
    patch: (taskId) => `${prefix}:task:${taskId}:patch`,
    // The dependency graph: the Lua in lua-library.ts builds these same names from the prefix.
    dependencies: (taskId) => `${prefix}:task:${taskId}:deps`,
    dependents: (taskId) => `${prefix}:task:${taskId}:dependents`,
    readyTasks: `${prefix}:ready`,
    releasedChannel: `${prefix}:released`,
    schedule: (scheduleId) => `${prefix}:schedule:${scheduleId}`,
    scheduleRuns: (scheduleId) => `${prefix}:schedule:${scheduleId}:runs`,
    allSchedules: `${prefix}:schedules`,
    schedulesInState: (state) => `${prefix}:schedules:state:${state}`,
    allTasks: `${prefix}:index:all`,
    tasksInState: (state) => `${prefix}:index:state:${state}`,
    worker: (workerId) => `${prefix}:worker:${workerId}`,
    workers: `${prefix}:workers`,
    workersLastBeat: `${prefix}:workers:last`,
    workersDrain: `${prefix}:workers:drain`,
    workerWorktrees: (workerId) => `${prefix}:worker:${workerId}:worktrees`,
    cancelChannel: `${prefix}:cancel`,
    worktreeGcChannel: `${prefix}:worktrees:gc`,
    worktreeGcReplies: (requestId) => `${prefix}:worktrees:gc:${requestId}`,
    coordinatorLease: `${prefix}:lease:coordinator`,
    requirementSets: `${prefix}:requirement-sets`,
    requirementSetsChannel: `${prefix}:requirement-sets:new`,
    affinity: (key) => `${prefix}:affinity:${key}`,
    affinityRouted: `${prefix}:affinity-routed`,
    waitingTasks: `${prefix}:waiting`,
    audit: `${prefix}:audit`,
  };
}
