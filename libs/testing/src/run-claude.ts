import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';

/** The pinned Claude Code CLI (the worker's dependency), resolved from the workspace. */
export const CLAUDE_BIN = join(
  dirname(require.resolve('@anthropic-ai/claude-code/package.json')),
  'bin',
  'claude.exe',
);

export interface ClaudeRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Every stdout line parsed as JSON, in order. */
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

const KILL_GRACE_MS = 2_000;

/**
 * Runs the CLI without a shell in its own process group and enforces a wall-clock deadline,
 * because `claude -p` has been seen to hang silently; the whole group is killed so no
 * grandchild outlives the test.
 */
export function runClaude(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ClaudeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE_BIN, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let escalation: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      escalation = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(deadline);
      clearTimeout(escalation);
      if (timedOut) {
        reject(
          new Error(
            `claude did not finish within ${options.timeoutMs}ms; stdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
        return;
      }
      try {
        const lines = stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        resolve({ exitCode, signal, lines, stderr });
      } catch (error) {
        reject(new Error(`claude printed a non-JSON line: ${String(error)}\nstdout:\n${stdout}`));
      }
    });
  });
}
