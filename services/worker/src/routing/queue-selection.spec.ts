import { requirementQueueName, TASK_QUEUE_NAME, workerQueueName } from '@claudine/store';
import { selectQueues } from './queue-selection';

describe('selectQueues', () => {
  const gpu = requirementQueueName(['gpu']);
  const gpuWeb = requirementQueueName(['repo:web', 'gpu']);
  const web = requirementQueueName(['repo:web']);
  const sets = new Map([
    [gpu, ['gpu']],
    [gpuWeb, ['gpu', 'repo:web']],
    [web, ['repo:web']],
  ]);

  it('always takes the shared queue and its own', () => {
    expect(selectQueues({ workerId: 'w1', labels: [], requirementSets: new Map() })).toEqual([
      TASK_QUEUE_NAME,
      workerQueueName('w1'),
    ]);
  });

  it('takes every requirement queue whose labels it all has, and no other', () => {
    expect(selectQueues({ workerId: 'w1', labels: ['gpu'], requirementSets: sets })).toEqual([
      TASK_QUEUE_NAME,
      workerQueueName('w1'),
      gpu,
    ]);
    expect(
      selectQueues({ workerId: 'w2', labels: ['repo:web', 'gpu', 'os:linux'], requirementSets: sets }),
    ).toEqual([TASK_QUEUE_NAME, workerQueueName('w2'), ...[gpu, gpuWeb, web].sort()]);
    expect(selectQueues({ workerId: 'w3', labels: ['cpu'], requirementSets: sets })).toEqual([
      TASK_QUEUE_NAME,
      workerQueueName('w3'),
    ]);
  });

  it('compares labels case-insensitively', () => {
    expect(selectQueues({ workerId: 'w1', labels: ['GPU'], requirementSets: sets })).toContain(gpu);
  });

  it('names one requirement set by one queue, whatever the order or case of its labels', () => {
    expect(requirementQueueName(['repo:web', 'GPU', 'gpu'])).toBe(gpuWeb);
    expect(gpuWeb).toMatch(/^tasks-req-[0-9a-f]{16}$/);
    expect(gpu).not.toBe(gpuWeb);
  });
});
