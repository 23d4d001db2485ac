import {
  PRIORITIES,
  TASK_STATES,
  type Attempt,
  type EdgeState,
  type MergeResult,
  type Priority,
  type Schedule,
  type Task,
  type TaskSpec,
  type TaskEvent,
  type TaskState,
} from '@claudine/core';
import type { Attempt__Output, Attempt as ProtoAttempt } from './generated/claudine/v1/Attempt';
import type { Priority__Output } from './generated/claudine/v1/Priority';
import type { Task__Output, Task as ProtoTask } from './generated/claudine/v1/Task';
import type { TaskEvent__Output, TaskEvent as ProtoTaskEvent } from './generated/claudine/v1/TaskEvent';
import type { TaskSpec__Output, TaskSpec as ProtoTaskSpec } from './generated/claudine/v1/TaskSpec';
import type { Schedule as ProtoSchedule } from './generated/claudine/v1/Schedule';
import type { ScheduleTaskRequest__Output } from './generated/claudine/v1/ScheduleTaskRequest';
import type { TaskState__Output } from './generated/claudine/v1/TaskState';

// Wire enums carry a type prefix (proto style); the domain uses the short names.

export function priorityToProto(priority: Priority): Priority__Output {
  return `PRIORITY_${priority}`;
}

/** `undefined` for UNSPECIFIED; an unknown value passes through so validation can name it. */
export function priorityFromProto(value: string | number): unknown {
  if (value === 'PRIORITY_UNSPECIFIED' || value === 0) return undefined;
  const short = typeof value === 'string' ? value.replace(/^PRIORITY_/, '') : value;
  return (PRIORITIES as readonly unknown[]).includes(short) ? short : value;
}

export function stateToProto(state: TaskState): TaskState__Output {
  return `TASK_STATE_${state.toUpperCase()}` as TaskState__Output;
}

export function stateFromProto(value: string | number): unknown {
  const short = typeof value === 'string' ? value.replace(/^TASK_STATE_/, '').toLowerCase() : value;
  return (TASK_STATES as readonly unknown[]).includes(short) ? short : value;
}

const emptyToUndefined = <T>(value: T): T | undefined =>
  value === '' || value === 0 || value === null || (Array.isArray(value) && value.length === 0)
    ? undefined
    : value;

/**
 * A wire spec as the plain object that TaskSpecSchema validates: proto3 defaults ("" and 0)
 * mean "not given", so the schema's defaults apply.
 */
export function specInputFromProto(spec: TaskSpec__Output | null | undefined): unknown {
  if (!spec) return undefined;
  const agent = spec.agent
    ? Object.fromEntries(
        Object.entries({
          model: emptyToUndefined(spec.agent.model),
          permissionMode: emptyToUndefined(spec.agent.permissionMode),
          allowedTools: emptyToUndefined(spec.agent.allowedTools),
          maxTurns: emptyToUndefined(spec.agent.maxTurns),
          appendSystemPrompt: emptyToUndefined(spec.agent.appendSystemPrompt),
          maxBudgetUsd: emptyToUndefined(spec.agent.maxBudgetUsd),
        }).filter(([, value]) => value !== undefined),
      )
    : undefined;
  return Object.fromEntries(
    Object.entries({
      prompt: spec.prompt,
      repository: spec.repository,
      baseRef: emptyToUndefined(spec.baseRef),
      workingDirectory: emptyToUndefined(spec.workingDirectory),
      priority: priorityFromProto(spec.priority),
      timeoutMs: emptyToUndefined(Number(spec.timeoutMs)),
      agent,
      labels: spec.labels && Object.keys(spec.labels).length > 0 ? spec.labels : undefined,
      maxAttempts: emptyToUndefined(spec.maxAttempts),
      mergeStrategy: emptyToUndefined(spec.mergeStrategy),
      worktreeCleanup: emptyToUndefined(spec.worktreeCleanup),
      dryRun: spec.dryRun || undefined,
      dependsOn: spec.dependsOn && spec.dependsOn.length > 0 ? spec.dependsOn : undefined,
      onDependencyFailure: emptyToUndefined(spec.onDependencyFailure),
      continueFrom: emptyToUndefined(spec.continueFrom),
      requires: spec.requires && spec.requires.length > 0 ? spec.requires : undefined,
      affinity: emptyToUndefined(spec.affinity),
    }).filter(([, value]) => value !== undefined),
  );
}

function attemptToProto(attempt: Attempt): ProtoAttempt {
  return {
    number: attempt.number,
    workerId: attempt.workerId,
    startedAtMs: attempt.startedAtMs,
    endedAtMs: attempt.endedAtMs ?? 0,
    ...(typeof attempt.exitCode === 'number' ? { exitCode: attempt.exitCode } : {}),
    sessionId: attempt.sessionId ?? '',
    outcome: attempt.outcome ?? '',
    error: attempt.error ?? '',
    agentStartedAtMs: attempt.agentStartedAtMs ?? 0,
  };
}

function attemptFromProto(attempt: Attempt__Output): Attempt {
  return {
    number: attempt.number,
    workerId: attempt.workerId,
    startedAtMs: attempt.startedAtMs,
    endedAtMs: attempt.endedAtMs || undefined,
    exitCode: attempt.exitCode ?? null,
    sessionId: attempt.sessionId || undefined,
    outcome: (attempt.outcome || undefined) as Attempt['outcome'],
    error: attempt.error || undefined,
    agentStartedAtMs: attempt.agentStartedAtMs || undefined,
  };
}

/** A validated spec on the wire. */
export function specToProto(spec: TaskSpec): ProtoTaskSpec {
  return {
    prompt: spec.prompt,
    repository: spec.repository,
    baseRef: spec.baseRef ?? '',
    workingDirectory: spec.workingDirectory ?? '',
    priority: priorityToProto(spec.priority),
    timeoutMs: spec.timeoutMs,
    agent: {
      model: spec.agent.model ?? '',
      permissionMode: spec.agent.permissionMode ?? '',
      allowedTools: spec.agent.allowedTools ?? [],
      maxTurns: spec.agent.maxTurns ?? 0,
      appendSystemPrompt: spec.agent.appendSystemPrompt ?? '',
      maxBudgetUsd: spec.agent.maxBudgetUsd ?? 0,
    },
    labels: spec.labels,
    maxAttempts: spec.maxAttempts,
    mergeStrategy: spec.mergeStrategy,
    worktreeCleanup: spec.worktreeCleanup,
    dryRun: spec.dryRun,
    dependsOn: spec.dependsOn,
    onDependencyFailure: spec.onDependencyFailure,
    continueFrom: spec.continueFrom ?? '',
    requires: spec.requires,
    affinity: spec.affinity ?? '',
  };
}

export function taskToProto(task: Task): ProtoTask {
  return {
    id: task.id,
    tenant: task.tenant,
    spec: specToProto(task.spec),
    state: stateToProto(task.state),
    createdAtMs: task.createdAtMs,
    updatedAtMs: task.updatedAtMs,
    startedAtMs: task.startedAtMs ?? 0,
    endedAtMs: task.endedAtMs ?? 0,
    attempts: task.attempts.map(attemptToProto),
    result: task.result ?? null,
    error: task.error ?? null,
    cancelReason: task.cancelReason ?? '',
    retryOf: task.retryOf ?? '',
    resumedFrom: task.resumedFrom ?? '',
    dependencies: task.dependencies ?? [],
    dependents: task.dependents ?? [],
    waitingReason: task.waitingReason ?? '',
  };
}

/** A task as a client reads it off the wire. The spec is taken as the server validated it. */
export function taskFromProto(task: Task__Output): Task {
  const spec = task.spec;
  return {
    id: task.id,
    spec: {
      prompt: spec?.prompt ?? '',
      repository: spec?.repository ?? '',
      baseRef: spec?.baseRef || undefined,
      workingDirectory: spec?.workingDirectory || undefined,
      priority: (priorityFromProto(spec?.priority ?? 'PRIORITY_UNSPECIFIED') ?? 'P2') as Priority,
      timeoutMs: spec?.timeoutMs ?? 0,
      agent: {
        model: spec?.agent?.model || undefined,
        permissionMode: (spec?.agent?.permissionMode || undefined) as Task['spec']['agent']['permissionMode'],
        allowedTools: spec?.agent?.allowedTools.length ? spec.agent.allowedTools : undefined,
        maxTurns: spec?.agent?.maxTurns || undefined,
        appendSystemPrompt: spec?.agent?.appendSystemPrompt || undefined,
        maxBudgetUsd: spec?.agent?.maxBudgetUsd || undefined,
      },
      labels: spec?.labels ?? {},
      maxAttempts: spec?.maxAttempts || 1,
      mergeStrategy: (spec?.mergeStrategy || 'branch') as Task['spec']['mergeStrategy'],
      worktreeCleanup: (spec?.worktreeCleanup || 'auto') as Task['spec']['worktreeCleanup'],
      dryRun: spec?.dryRun ?? false,
      dependsOn: spec?.dependsOn ?? [],
      onDependencyFailure: (spec?.onDependencyFailure || 'fail') as Task['spec']['onDependencyFailure'],
      continueFrom: spec?.continueFrom || undefined,
      requires: spec?.requires ?? [],
      affinity: spec?.affinity || undefined,
    },
    state: stateFromProto(task.state) as TaskState,
    createdAtMs: task.createdAtMs,
    updatedAtMs: task.updatedAtMs,
    startedAtMs: task.startedAtMs || undefined,
    endedAtMs: task.endedAtMs || undefined,
    attempts: task.attempts.map(attemptFromProto),
    result: task.result
      ? {
          ...task.result,
          usage: task.result.usage ?? {
            inputTokens: 0,
            outputTokens: 0,
            cacheCreationInputTokens: 0,
            cacheReadInputTokens: 0,
          },
          merge: task.result.merge
            ? {
                strategy: task.result.merge.strategy as MergeResult['strategy'],
                outcome: task.result.merge.outcome as MergeResult['outcome'],
                detail: task.result.merge.detail,
                baseBranch: task.result.merge.baseBranch || undefined,
                mergedCommit: task.result.merge.mergedCommit || undefined,
                conflicts: task.result.merge.conflicts,
                patchPath: task.result.merge.patchPath || undefined,
                diffstat: task.result.merge.diffstat || undefined,
                remote: task.result.merge.remote || undefined,
                pushed: task.result.merge.pushed || undefined,
                prUrl: task.result.merge.prUrl || undefined,
              }
            : undefined,
        }
      : undefined,
    error: task.error ?? undefined,
    cancelReason: task.cancelReason || undefined,
    retryOf: task.retryOf || undefined,
    dependencies:
      task.dependencies.length > 0
        ? task.dependencies.map((edge) => ({ taskId: edge.taskId, state: edge.state as EdgeState }))
        : undefined,
    dependents: task.dependents.length > 0 ? task.dependents : undefined,
    waitingReason: task.waitingReason || undefined,
    resumedFrom: task.resumedFrom || undefined,
    tenant: task.tenant || 'default',
  };
}

export function eventToProto(event: TaskEvent): ProtoTaskEvent {
  return {
    taskId: event.taskId,
    offset: event.offset,
    timeMs: event.timeMs,
    type: event.type,
    dataJson: JSON.stringify(event.data),
  };
}

export function eventFromProto(event: TaskEvent__Output): TaskEvent {
  return {
    taskId: event.taskId,
    offset: event.offset,
    timeMs: event.timeMs,
    type: event.type,
    data: JSON.parse(event.dataJson || '{}') as unknown,
  } as TaskEvent;
}

/** A ScheduleTask request as input for ScheduleSpecSchema: proto3 defaults read as "not given". */
export function scheduleSpecInputFromProto(request: ScheduleTaskRequest__Output): unknown {
  return Object.fromEntries(
    Object.entries({
      template: request.template ? specInputFromProto(request.template) : undefined,
      cron: emptyToUndefined(request.cron),
      timezone: emptyToUndefined(request.timeZone),
      everyMs: emptyToUndefined(Number(request.everyMs)),
      runAt: emptyToUndefined(request.oneTime),
      maxRuns: request.maxRuns ?? undefined,
      expiresAt: emptyToUndefined(request.expiresAt),
      missedRunPolicy: emptyToUndefined(request.missedRunPolicy),
      catchupLimit: emptyToUndefined(request.catchupLimit),
      concurrency: emptyToUndefined(request.concurrency),
      afterSchedule: emptyToUndefined(request.afterSchedule),
    }).filter(([, value]) => value !== undefined),
  );
}

/** A schedule on the wire, with its next fire times. */
export function scheduleToProto(schedule: Schedule, nextFireTimesMs: readonly number[]): ProtoSchedule {
  const { spec } = schedule;
  return {
    id: schedule.id,
    tenant: schedule.tenant,
    spec: {
      template: specToProto(spec.template),
      cron: spec.cron ?? '',
      timeZone: spec.timezone,
      everyMs: spec.everyMs ?? 0,
      oneTime: spec.runAt ?? '',
      ...(spec.maxRuns === undefined ? {} : { maxRuns: spec.maxRuns }),
      expiresAt: spec.expiresAt ?? '',
      missedRunPolicy: spec.missedRunPolicy,
      catchupLimit: spec.catchupLimit,
      concurrency: spec.concurrency,
      afterSchedule: spec.afterSchedule ?? '',
    },
    state: schedule.state,
    stateReason: schedule.stateReason ?? '',
    createdAtMs: schedule.createdAtMs,
    updatedAtMs: schedule.updatedAtMs,
    runCount: schedule.runCount,
    lastFireAtMs: schedule.lastFireAtMs ?? 0,
    lastTaskId: schedule.lastTaskId ?? '',
    nextFireTimesMs: [...nextFireTimesMs],
    history: schedule.history.map((run) => ({
      fireTimeMs: run.fireTimeMs,
      queuedAtMs: run.queuedAtMs,
      taskId: run.taskId ?? '',
      outcome: run.outcome,
      reason: run.reason ?? '',
    })),
  };
}
