import type { EventEmitter } from 'node:events';

export interface WaitForOptions {
  /** Default 10000. */
  timeoutMs?: number;
  /** Pause between probes, default 25. */
  intervalMs?: number;
  /** Completes "Timed out after Nms waiting for ...", so name the condition, not the action. */
  description: string;
}

export type ProbeResult<T> = T | undefined | null | false;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 25;

/**
 * Polls `probe` until it returns a truthy value and resolves with that value.
 * A probe that throws is treated as "not yet" so it can assert freely; the last error is kept
 * for the timeout message because it usually explains why the condition never held.
 */
export async function waitFor<T>(
  probe: () => ProbeResult<T> | Promise<ProbeResult<T>>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remainingMs = deadline - Date.now();
    try {
      // A probe that never settles must not outlive the deadline.
      const value = await withDeadline(
        Promise.resolve().then(probe),
        Math.max(remainingMs, 1),
        options.description,
      );
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs}ms waiting for ${options.description}` +
          (lastError === undefined ? '' : `; last error: ${describeError(lastError)}`),
        lastError === undefined ? undefined : { cause: lastError },
      );
    }
    await delay(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
  }
}

/**
 * Resolves with the arguments of the next `event`. Rejects on an 'error' event (unless that is
 * the awaited event) or after `timeoutMs`, and removes its listeners either way so a test that
 * gave up leaves nothing attached.
 */
export function onceEvent(
  emitter: EventEmitter,
  event: string | symbol,
  timeoutMs: number,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      if (event !== 'error') emitter.removeListener('error', onError);
    };
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args);
    };
    const onError = (error: unknown): void => {
      cleanup();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs}ms waiting for event '${String(event)}'`));
    }, timeoutMs);
    emitter.on(event, onEvent);
    if (event !== 'error') emitter.on('error', onError);
  });
}

/**
 * Settles like `promise`, or rejects with "Timed out after Nms waiting for <description>".
 * The timer is cleared on settlement so no handle outlives the test. The original promise keeps
 * running after a timeout: cancel the underlying work separately.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, description: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms}ms waiting for ${description}`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
