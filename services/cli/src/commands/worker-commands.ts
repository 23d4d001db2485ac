import { formatByteSize } from '@claudine/core';
import type { WorkerInfo__Output } from '@claudine/proto';
import type { ClusterClient } from '../client/cluster-client';
import { EXIT, print, printJson } from '../output';

/** `claudine workers`: every worker the registry lists, dead ones included while they are kept. */
export async function workersCommand(client: ClusterClient, flags: { json?: boolean }): Promise<number> {
  const workers = await client.listWorkers();
  if (flags.json) {
    printJson(workers);
    return EXIT.ok;
  }
  if (workers.length === 0) print('no live workers');
  for (const worker of workers) print(formatWorker(worker));
  return EXIT.ok;
}

/** `claudine workers drain <id> [--undo]`. */
export async function workersDrainCommand(
  client: ClusterClient,
  workerId: string,
  flags: { undo?: boolean; json?: boolean },
): Promise<number> {
  const worker = await client.drainWorker(workerId, flags.undo ?? false);
  if (flags.json) printJson(worker);
  else if (flags.undo) print(`${worker.id} takes new tasks again`);
  else
    print(
      `${worker.id} is draining: it takes no new tasks; ${worker.runningTaskIds.length} running go on (undo: claudine workers drain ${worker.id} --undo)`,
    );
  return EXIT.ok;
}

/**
 * One line per worker: id, state, running / allowed now (max), load / cpus, free memory, labels,
 * host and pid, version, last heartbeat, and a rate-limit pause when there is one.
 */
export function formatWorker(worker: WorkerInfo__Output, nowMs = Date.now()): string {
  const state = worker.state || 'running';
  const max = worker.maxCapacity || worker.capacity;
  const parts = [
    worker.id,
    state + (worker.drainRequested && state !== 'dead' && state !== 'draining' ? ' (drain requested)' : ''),
    `running ${worker.runningTaskIds.length}/${worker.capacity} (max ${max})`,
    `load ${worker.load1.toFixed(2)}/${worker.cpus} cpus`,
    `free ${formatByteSize(Number(worker.freeMemoryBytes))}`,
    `labels ${worker.labels.length > 0 ? worker.labels.join(',') : '-'}`,
    `${worker.host} pid ${worker.pid}`,
    `v${worker.version}`,
    `seen ${Math.max(0, nowMs - Number(worker.lastHeartbeatMs))}ms ago`,
  ];
  if (Number(worker.pausedUntilMs) > nowMs)
    parts.push(`paused (rate limited) until ${new Date(Number(worker.pausedUntilMs)).toISOString()}`);
  return parts.join('  ');
}
