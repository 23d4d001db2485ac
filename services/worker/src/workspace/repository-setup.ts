import { createInterface } from 'node:readline';
import path from 'node:path';
import { AppError, classifyRepository, type NewTaskEvent } from '@claudine/core';
import type { StopReason } from '../execution/agent-executor';
import { buildAgentEnvironment } from '../execution/agent-environment';
import { ProcessGroup } from '../execution/process-group';
import type { TaskWorkspace } from './worktree-manager';

export interface RepositorySetupOptions {
  /**
   * Shell commands by repository (as tasks name it: an absolute path or a URL), or `*` for every
   * repository without one of its own. They come from the worker's operator, never from a request.
   */
  commands: Readonly<Record<string, string>>;
  timeoutMs: number;
  killGraceMs: number;
  /** The shorter grace when the task is cancelled. */
  cancelGraceMs: number;
  /** The agent's allowlist: setup sees what the agent sees, never the cluster's secrets. */
  envAllowlist: readonly string[];
}

export interface SetupRun {
  taskId: string;
  repository: string;
  workspace: TaskWorkspace;
  onEvent: (event: NewTaskEvent) => void;
}

/** A running setup that cancellation can stop. */
export interface RunningSetup {
  stop(reason: StopReason): void;
  /** @throws AppError SETUP_FAILED with the command's last output lines */
  readonly done: Promise<void>;
}

const LAST_LINES_IN_ERROR = 10;

/**
 * Runs a repository's setup command (install dependencies, copy `.env`) in a task's new worktree
 * before the agent starts: through `sh -c` (it is the operator's configuration), in its own
 * process group, with the agent's allowlisted environment plus CLAUDINE_TASK_ID, CLAUDINE_WORKTREE
 * and CLAUDINE_REPOSITORY, its output streamed to the task's log line by line.
 */
export class RepositorySetup {
  constructor(private readonly options: RepositorySetupOptions) {}

  /** The command for a repository, if any. */
  commandFor(repository: string): string | undefined {
    const { commands } = this.options;
    const location = classifyRepository(repository);
    const own =
      commands[repository] ??
      (location.kind === 'path'
        ? Object.entries(commands).find(
            ([key]) => path.isAbsolute(key) && path.normalize(key) === location.path,
          )?.[1]
        : undefined);
    return own ?? commands['*'];
  }

  /** Starts the repository's setup; undefined when it has none. */
  start({ taskId, repository, workspace, onEvent }: SetupRun): RunningSetup | undefined {
    const command = this.commandFor(repository);
    if (command === undefined) return undefined;
    const startedAt = Date.now();
    const cwd = workspace.worktreePath;
    onEvent({ type: 'setup.started', data: { command, cwd } });
    const env = {
      ...buildAgentEnvironment(process.env, { allowlist: this.options.envAllowlist }),
      CLAUDINE_TASK_ID: taskId,
      CLAUDINE_WORKTREE: cwd,
      CLAUDINE_REPOSITORY: repository,
    };
    const group = new ProcessGroup('/bin/sh', ['-c', command], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lastLines: string[] = [];
    const follow = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') => {
      if (!stream) return Promise.resolve();
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        lastLines.push(line);
        if (lastLines.length > LAST_LINES_IN_ERROR) lastLines.shift();
        onEvent({ type: 'setup.output', data: { stream: name, line } });
      });
      return new Promise<void>((resolve) => lines.once('close', resolve));
    };
    let stopped: 'timeout' | 'cancelled' | undefined;
    const timer = setTimeout(() => {
      stopped ??= 'timeout';
      group.stop(this.options.killGraceMs);
    }, this.options.timeoutMs);
    const done = (async () => {
      const [exit] = await Promise.all([
        group.done,
        follow(group.child.stdout, 'stdout'),
        follow(group.child.stderr, 'stderr'),
      ]);
      clearTimeout(timer);
      onEvent({
        type: 'setup.finished',
        data: {
          exitCode: exit.exitCode,
          signal: exit.signal ?? undefined,
          durationMs: Date.now() - startedAt,
        },
      });
      if (exit.exitCode === 0) return;
      const why = exit.error
        ? `could not start: ${exit.error.message}`
        : stopped === 'timeout'
          ? `did not finish within ${this.options.timeoutMs} ms`
          : stopped === 'cancelled'
            ? 'was stopped'
            : exit.signal
              ? `was killed by ${exit.signal}`
              : `exited with ${exit.exitCode}`;
      const tail = lastLines.length > 0 ? `; last output:\n${lastLines.join('\n')}` : '';
      throw new AppError('SETUP_FAILED', `the repository's setup command ${why}: ${command}${tail}`);
    })();
    return {
      stop: (reason) => {
        stopped ??= reason === 'timeout' ? 'timeout' : 'cancelled';
        group.stop(
          reason === 'cancelled' || reason === 'fenced'
            ? this.options.cancelGraceMs
            : this.options.killGraceMs,
        );
      },
      done,
    };
  }
}
