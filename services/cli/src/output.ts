import { AppError, formatDuration, type ErrorCode, type Task } from '@claudine/core';

/** Exit codes, documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  invalidInput: 2,
  unavailable: 3,
  refused: 4,
  internal: 5,
  /** No valid token (UNAUTHENTICATED), or the token may not do this (PERMISSION_DENIED). */
  denied: 6,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'OUT_OF_RANGE':
    case 'CONFIG_INVALID':
      return EXIT.invalidInput;
    case 'UNAVAILABLE':
    case 'REDIS_MISCONFIGURED':
      return EXIT.unavailable;
    case 'TASK_NOT_FOUND':
    case 'PATCH_NOT_FOUND':
    case 'SCHEDULE_NOT_FOUND':
    case 'SCHEDULE_STATE_INVALID':
    case 'WORKER_NOT_FOUND':
    case 'TASK_ALREADY_FINISHED':
    case 'TASK_NOT_FINISHED':
    case 'TASK_NOT_BLOCKED':
    case 'REPOSITORY_NOT_FOUND':
    case 'REPOSITORY_INVALID':
    case 'BASE_REF_NOT_FOUND':
    case 'WORKING_DIRECTORY_INVALID':
    case 'DEPENDENCY_CYCLE':
    case 'POLICY_REFUSED':
      return EXIT.refused;
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
      return EXIT.denied;
    default:
      return EXIT.internal;
  }
}

/** Writes a line to stdout (the CLI's own output, the one place console-like writes belong). */
export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function fail(error: unknown): never {
  const appError = AppError.is(error)
    ? error
    : new AppError('INTERNAL', error instanceof Error ? error.message : String(error));
  process.stderr.write(`claudine: ${appError.message}\n`);
  process.exit(exitCodeFor(appError.code));
}

function ago(ms: number | undefined): string {
  if (!ms) return '-';
  return `${formatDuration(Math.max(0, Date.now() - ms))} ago`;
}

/** One line per task, for `status` without an id. */
export function formatTaskRow(task: Task): string {
  const prompt = task.spec.prompt.replace(/\s+/g, ' ').slice(0, 60);
  const waiting = task.waitingReason ? `  (${task.waitingReason})` : '';
  return `${task.id}  ${task.state.padEnd(9)}  ${task.spec.priority}  ${ago(task.createdAtMs).padEnd(10)}  ${prompt}${waiting}`;
}

/** Everything about one task, for `status <id>` and `delegate --wait`. */
export function formatTaskDetail(task: Task): string {
  const lines = [
    `Task       ${task.id}`,
    `State      ${task.state}${task.cancelReason ? ` (${task.cancelReason})` : ''}`,
    `Priority   ${task.spec.priority}`,
    // Only with tokens configured does a task belong to another tenant than `default`.
    ...(task.tenant && task.tenant !== 'default' ? [`Tenant     ${task.tenant}`] : []),
    `Repository ${task.spec.repository}${task.spec.baseRef ? ` @ ${task.spec.baseRef}` : ''}`,
    `Created    ${new Date(task.createdAtMs).toISOString()}`,
  ];
  if (task.waitingReason) lines.push(`Waiting    ${task.waitingReason}`);
  if (task.spec.requires.length > 0) lines.push(`Requires   ${task.spec.requires.join(', ')}`);
  if (task.spec.affinity) lines.push(`Affinity   ${task.spec.affinity}`);
  if (task.spec.continueFrom) lines.push(`Continues  ${task.spec.continueFrom}`);
  if (task.dependencies) {
    const waiting = task.dependencies.filter((edge) => edge.state === 'pending').map((edge) => edge.taskId);
    if (task.state === 'blocked' && waiting.length > 0) lines.push(`Waits for  ${waiting.join(', ')}`);
    lines.push(
      `Depends on ${task.dependencies.map((edge) => `${edge.taskId} (${edge.state})`).join(', ')}`,
      `On failure ${task.spec.onDependencyFailure}`,
    );
  }
  if (task.dependents) lines.push(`Dependents ${task.dependents.join(', ')}`);
  if (task.startedAtMs && task.endedAtMs)
    lines.push(`Ran        ${formatDuration(task.endedAtMs - task.startedAtMs)}`);
  for (const attempt of task.attempts) {
    lines.push(
      `Attempt ${attempt.number}  on ${attempt.workerId}${attempt.outcome ? `: ${attempt.outcome}` : ' (running)'}${
        typeof attempt.exitCode === 'number' ? `, exit ${attempt.exitCode}` : ''
      }`,
    );
  }
  if (task.result) {
    const r = task.result;
    lines.push(
      `Branch     ${r.branch}${r.commit ? ` (${r.commit.slice(0, 12)})` : ''}`,
      `Changed    ${r.changedFiles.length > 0 ? r.changedFiles.join(', ') : 'nothing'}`,
      `Session    ${r.sessionId || '-'}`,
      `Turns      ${r.numTurns}   Cost $${r.costUsd.toFixed(4)}   Tokens in ${r.usage.inputTokens} / out ${r.usage.outputTokens}`,
    );
    if (r.merge) {
      lines.push(
        `Merge      ${r.merge.strategy}: ${r.merge.outcome}${r.merge.detail ? ` (${r.merge.detail})` : ''}`,
      );
      if (r.merge.prUrl) lines.push(`PR         ${r.merge.prUrl}`);
      if (r.merge.conflicts.length > 0) lines.push(`Conflicts  ${r.merge.conflicts.join(', ')}`);
      if (r.merge.patchPath) lines.push(`Patch      claudine patch ${task.id}`);
    }
    if (r.text) lines.push('', r.text);
  }
  if (task.error) lines.push('', `Error      ${task.error.code}: ${task.error.message}`);
  lines.push(
    '',
    `Prompt     ${task.spec.prompt.length > 400 ? `${task.spec.prompt.slice(0, 400)}…` : task.spec.prompt}`,
  );
  return lines.join('\n');
}
