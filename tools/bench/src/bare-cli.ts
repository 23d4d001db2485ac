import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { AGENT_FIXED_ENV } from '@claudine/worker';
import { createGitRepository, createTempDir, type GitFixture } from '@claudine/testing';

export interface BareCliOptions {
  agentCommand: string;
  anthropicUrl: string;
  runs: number;
  /** Kills a run that outlives it: a hung CLI must not hang the bench. */
  timeoutMs: number;
}

export interface BareCliResult {
  /** Wall time of one run alone, ms. */
  singleRunMs: number;
  /** Wall time of `runs` runs started at once, ms. */
  concurrentWallMs: number;
}

/**
 * The floor under the whole path: the same CLI, arguments and fixed environment the worker
 * uses, spawned directly (no Claudine), each in a git repository of its own. Whatever the
 * whole path takes beyond this is Claudine's.
 */
export async function measureBareCli(options: BareCliOptions): Promise<BareCliResult> {
  // Config directories outside the repositories, as the worker keeps them outside the worktree.
  const configRoot = await createTempDir('claudine-bench-bare-');
  const repositories: GitFixture[] = [];
  try {
    for (let i = 0; i < options.runs; i++) repositories.push(await createGitRepository());
    const configDir = (label: string): string => path.join(configRoot.path, label);
    const alone = await runCli(options, repositories[0]!, configDir('alone'));
    const started = Date.now();
    await Promise.all(
      repositories.map((repository, i) => runCli(options, repository, configDir(`run-${i}`))),
    );
    return { singleRunMs: alone, concurrentWallMs: Date.now() - started };
  } finally {
    await Promise.all(repositories.map((repository) => repository.remove()));
    await configRoot.remove();
  }
}

/** One `claude -p` run as the worker starts it; resolves with its wall time, rejects unless it succeeded. */
async function runCli(options: BareCliOptions, repository: GitFixture, configDir: string): Promise<number> {
  const label = path.basename(configDir);
  const [executable, ...leading] = options.agentCommand.split(' ').filter((part) => part !== '');
  if (!executable) throw new Error('empty agent command');
  await mkdir(configDir, { recursive: true });
  // As the worker's executor builds them for a task with no agent options.
  const args = [...leading, '-p', 'benchmark: reply done', '--output-format', 'stream-json', '--verbose'];
  args.push('--permission-mode', 'acceptEdits');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ANTHROPIC_BASE_URL: options.anthropicUrl,
    ANTHROPIC_API_KEY: 'sk-bench',
    ...AGENT_FIXED_ENV,
    CLAUDE_CONFIG_DIR: configDir,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { cwd: repository.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let resultLine: string | undefined;
    let stderr = '';
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"type":"result"')) resultLine = line;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString('utf8')}`.slice(-2_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${executable}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const elapsed = Date.now() - started;
      const result = resultLine
        ? (JSON.parse(resultLine) as { is_error?: boolean; result?: string })
        : undefined;
      if (code === 0 && result && result.is_error === false) resolve(elapsed);
      else {
        const why = result
          ? `result: ${String(result.result)}`
          : `no result line; stderr: ${stderr.trim() || '(empty)'}`;
        reject(
          new Error(
            `bare CLI run ${label} ended with ${signal ?? `exit ${code}`} after ${elapsed} ms (${why})`,
          ),
        );
      }
    });
  });
}
