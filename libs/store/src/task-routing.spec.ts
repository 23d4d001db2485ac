import { TASK_QUEUE_NAME, workerQueueName } from './task-queue';
import {
  chooseRoute,
  fallbackQueueName,
  NO_AFFINITY_DEADLINE,
  requirementQueueName,
  workerCanTake,
  workerIdOfQueue,
} from './task-routing';

describe('task routing', () => {
  const plain = { requires: [] };
  const gpu = { requires: ['gpu'] };
  const base = { nowMs: 1_000, affinityWaitMs: 30_000 };

  it('sends a task to the shared queue, or to the queue of its requirement set', () => {
    expect(chooseRoute({ ...base, spec: plain })).toEqual({ queueName: TASK_QUEUE_NAME });
    expect(chooseRoute({ ...base, spec: gpu })).toEqual({ queueName: requirementQueueName(['gpu']) });
    expect(fallbackQueueName(gpu)).toBe(requirementQueueName(['gpu']));
  });

  it('sends a task to an eligible preferred worker until the affinity wait ends', () => {
    expect(chooseRoute({ ...base, spec: gpu, preferred: { id: 'w1', eligible: true } })).toEqual({
      queueName: workerQueueName('w1'),
      deadlineMs: 31_000,
    });
    expect(chooseRoute({ ...base, spec: gpu, preferred: { id: 'w1', eligible: false } })).toEqual({
      queueName: requirementQueueName(['gpu']),
    });
  });

  it('keeps a same-session resume on its worker, whatever the affinity', () => {
    expect(
      chooseRoute({ ...base, spec: gpu, resumeWorkerId: 'w2', preferred: { id: 'w1', eligible: true } }),
    ).toEqual({ queueName: workerQueueName('w2'), deadlineMs: NO_AFFINITY_DEADLINE });
  });

  it('tells which worker a queue belongs to', () => {
    expect(workerIdOfQueue(workerQueueName('host-1.a'))).toBe('host-1.a');
    expect(workerIdOfQueue(TASK_QUEUE_NAME)).toBeUndefined();
    expect(workerIdOfQueue(requirementQueueName(['gpu']))).toBeUndefined();
  });

  it('lets a worker take a task when it is not draining and has every label', () => {
    expect(workerCanTake({ labels: ['gpu', 'os:linux'], state: 'running' }, ['gpu'])).toBe(true);
    expect(workerCanTake({ labels: ['GPU'], state: 'paused' }, ['gpu'])).toBe(true);
    expect(workerCanTake({ labels: ['gpu'], state: 'draining' }, ['gpu'])).toBe(false);
    expect(workerCanTake({ labels: ['gpu'], state: 'dead' }, [])).toBe(false);
    expect(workerCanTake({ labels: [] }, ['gpu'])).toBe(false);
    expect(workerCanTake({}, [])).toBe(true);
  });
});
