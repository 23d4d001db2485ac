import { execFile, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { AppError, type ErrorCode } from '@claudine/core';

export interface GitOptions {
  cwd: string;
  /** Extra environment (for example author identity). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
    /** What it printed before failing (some commands report there, such as merge-tree's conflicts). */
    readonly stdout = '',
  ) {
    super(
      `git ${args[0] ?? ''} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no output'}`,
    );
  }
}

const LOCK_CONTENTION = /\.lock['"]?: File exists|Unable to create .*\.lock|could not lock/i;

/**
 * Runs git with an argument vector (no shell), non-interactively, and returns its trimmed stdout.
 * A lock left by a concurrent git in the same repository is retried a few times.
 */
export async function git(args: readonly string[], options: GitOptions): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runGit(args, options);
    } catch (error) {
      if (!(error instanceof GitError) || !LOCK_CONTENTION.test(error.stderr) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}

function runGit(args: readonly string[], { cwd, env, timeoutMs = 120_000 }: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...env },
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new GitError(args, String(stderr || error.message), code, String(stdout)));
        } else {
          resolve(String(stdout).trim());
        }
      },
    );
  });
}

/**
 * Runs git with its stdout going straight to a file, byte for byte (no size cap, no decoding):
 * for output such as a patch, which may be large or not UTF-8.
 */
export async function gitToFile(
  args: readonly string[],
  file: string,
  { cwd, env, timeoutMs = 120_000 }: GitOptions,
): Promise<void> {
  const output = await open(file, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('git', [...args], {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...env },
        stdio: ['ignore', output.fd, 'pipe'],
        timeout: timeoutMs,
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.length < 64 * 1024) stderr += chunk.toString();
      });
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new GitError(args, stderr, code))));
    });
  } finally {
    await output.close();
  }
}

/** Runs git, turning a failure into an AppError with the given code and a readable message. */
export async function gitOrFail(
  code: ErrorCode,
  message: string,
  args: readonly string[],
  options: GitOptions,
): Promise<string> {
  try {
    return await git(args, options);
  } catch (error) {
    const detail = error instanceof GitError ? error.stderr.trim() : String(error);
    throw new AppError(code, `${message}: ${detail}`, { cause: error });
  }
}
