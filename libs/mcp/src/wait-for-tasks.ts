import { AppError, isTerminalState, type Task } from '@claudine/core';
import type { ClaudineBackend } from './backend';

export interface WaitForTasksOptions {
  taskIds: readonly string[];
  mode: 'any' | 'all';
  timeoutMs: number;
  /** The caller gave up (the MCP request was cancelled): stop at once. */
  signal?: AbortSignal;
  /** Called once the tasks were read and the wait begins (not when they had already ended). */
  onWaiting?: (ended: number) => void;
  /** Called each time a task ends, with how many have. */
  onTaskEnded?: (task: Task, ended: number) => void;
}

export interface WaitForTasksResult {
  /** `all`: every task ended; `any`: at least one did. */
  done: boolean;
  timedOut: boolean;
  /** Every task asked for, in the order asked, as it is now. */
  tasks: Task[];
}

/** Between two watches of one task after its stream broke (the coordinator restarting, say). */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Waits until every task (`all`) or the first one (`any`) ends, or the timeout. Each pending task
 * is followed on its Watch stream (from its last event), which the coordinator ends after the
 * task's final state; a broken stream is opened again, with backoff, after re-reading the task.
 * @throws AppError TASK_NOT_FOUND for an unknown id (before waiting), CANCELLED when `signal` aborts,
 * UNAVAILABLE when the coordinator cannot be reached at first
 */
export async function waitForTasks(
  backend: ClaudineBackend,
  options: WaitForTasksOptions,
): Promise<WaitForTasksResult> {
  const { taskIds, mode, signal } = options;
  const tasks = new Map<string, Task>();
  for (const task of await Promise.all(taskIds.map((id) => backend.get(id)))) tasks.set(task.id, task);
  const ended = (): number => [...tasks.values()].filter((task) => isTerminalState(task.state)).length;
  const isDone = (): boolean => (mode === 'all' ? ended() === taskIds.length : ended() > 0);
  const result = (timedOut: boolean): WaitForTasksResult => ({
    done: isDone(),
    timedOut,
    tasks: taskIds.map((id) => tasks.get(id)).filter((task): task is Task => task !== undefined),
  });
  if (isDone()) return result(false);

  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, options.timeoutMs);
  const onCallerAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (signal?.aborted) stop.abort();

  const follow = async (taskId: string): Promise<void> => {
    let delayMs = RETRY_MIN_MS;
    while (!stop.signal.aborted) {
      try {
        // tail 1: from the task's latest event on; the stream ends after its final state.
        for await (const _event of backend.watch(taskId, { follow: true, tail: 1, signal: stop.signal })) {
          delayMs = RETRY_MIN_MS;
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        if (!AppError.is(error, 'UNAVAILABLE') && !AppError.is(error, 'INTERNAL')) throw error;
      }
      if (stop.signal.aborted) return;
      const task = await backend.get(taskId).catch((error: unknown) => {
        if (AppError.is(error, 'UNAVAILABLE')) return undefined;
        throw error;
      });
      if (task !== undefined) tasks.set(taskId, task);
      if (task !== undefined && isTerminalState(task.state)) {
        options.onTaskEnded?.(task, ended());
        if (isDone()) stop.abort();
        return;
      }
      await pause(delayMs, stop.signal);
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  };

  options.onWaiting?.(ended());
  try {
    const pending = taskIds.filter((id) => !isTerminalState(tasks.get(id)?.state ?? 'queued'));
    const outcomes = await Promise.allSettled(pending.map((id) => follow(id)));
    const failure = outcomes.find(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    if (failure) throw failure.reason;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
    stop.abort();
  }
  if (signal?.aborted) throw new AppError('CANCELLED', 'the wait was cancelled by the client');
  if (!isDone()) {
    // Timed out: the tasks as they are now (a state may have moved since the last event).
    for (const task of await Promise.all(taskIds.map((id) => backend.get(id)))) tasks.set(task.id, task);
  }
  return result(timedOut && !isDone());
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
