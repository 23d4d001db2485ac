import { TaskSpecSchema, type Task } from '@claudine/core';
import { priorityFromProto, specInputFromProto, stateFromProto, taskFromProto, taskToProto } from './mappers';
import type { Task__Output } from './generated/claudine/v1/Task';

describe('proto mappers', () => {
  it('reads proto3 defaults as "not given", so the schema defaults apply', () => {
    const input = specInputFromProto({
      prompt: 'p',
      repository: '/r',
      baseRef: '',
      workingDirectory: '',
      priority: 'PRIORITY_UNSPECIFIED',
      timeoutMs: 0,
      agent: {
        model: '',
        permissionMode: '',
        allowedTools: [],
        maxTurns: 0,
        appendSystemPrompt: '',
        maxBudgetUsd: 0,
      },
      labels: {},
      maxAttempts: 0,
      mergeStrategy: '',
      worktreeCleanup: '',
      dryRun: false,
      dependsOn: [],
      onDependencyFailure: '',
      continueFrom: '',
      requires: [],
      affinity: '',
    });
    expect(input).toEqual({ prompt: 'p', repository: '/r', agent: {} });
    expect(TaskSpecSchema.parse(input)).toMatchObject({ priority: 'P2', timeoutMs: 1_800_000 });
  });

  it('passes unknown enum values through, for validation to name them', () => {
    expect(priorityFromProto('PRIORITY_P0')).toBe('P0');
    expect(priorityFromProto(9)).toBe(9);
    expect(stateFromProto('TASK_STATE_RUNNING')).toBe('running');
  });

  it('round-trips a task through the wire shape', () => {
    const task: Task = {
      id: 'task-1',
      tenant: 'default',
      spec: TaskSpecSchema.parse({
        prompt: 'p',
        repository: '/r',
        priority: 'P1',
        agent: { maxTurns: 3 },
        requires: ['gpu', 'repo:web'],
        affinity: 'warm-cache',
      }),
      state: 'completed',
      createdAtMs: 1,
      updatedAtMs: 3,
      startedAtMs: 2,
      endedAtMs: 3,
      attempts: [
        { number: 1, workerId: 'w', startedAtMs: 2, endedAtMs: 3, exitCode: 0, outcome: 'completed' },
      ],
      result: {
        text: 't',
        sessionId: 's',
        costUsd: 0.1,
        usage: { inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
        numTurns: 2,
        durationMs: 5,
        branch: 'claudine/task-1',
        commit: 'abc',
        changedFiles: ['a'],
      },
    };
    const wire = taskToProto(task) as unknown as Task__Output;
    expect(taskFromProto(wire)).toEqual({
      ...task,
      attempts: [{ ...task.attempts[0], sessionId: undefined, error: undefined }],
      spec: { ...task.spec, baseRef: undefined, workingDirectory: undefined },
      error: undefined,
      cancelReason: undefined,
    });
  });
});
