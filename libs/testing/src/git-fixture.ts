import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { createTempDir } from './temp-dir';

export interface GitRepositoryOptions {
  /** Repository-relative path to content; default a single README.md. */
  files?: Record<string, string>;
  /** Initial branch, default 'main'. */
  branch?: string;
}

export interface GitFixture {
  path: string;
  /** Runs git in the repository; resolves with trimmed stdout, rejects with git's stderr. */
  git(...args: string[]): Promise<string>;
  remove(): Promise<void>;
}

const DEFAULT_FILES: Record<string, string> = { 'README.md': '# Test repository\n' };

/** A throwaway repository with one commit, isolated from the user's and the machine's git config. */
export async function createGitRepository(options: GitRepositoryOptions = {}): Promise<GitFixture> {
  const dir = await createTempDir('claudine-git-');
  const git = (...args: string[]): Promise<string> => runGit(dir.path, args);
  try {
    await git('init', '-q', '-b', options.branch ?? 'main');
    await git('config', 'user.name', 'Claudine Test');
    await git('config', 'user.email', 'test@claudine.invalid');
    await git('config', 'commit.gpgsign', 'false');
    for (const [relativePath, content] of Object.entries(options.files ?? DEFAULT_FILES)) {
      const target = resolveInside(dir.path, relativePath);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await git('add', '-A');
    await git('commit', '-q', '--allow-empty', '-m', 'Initial commit');
  } catch (error) {
    await dir.remove();
    throw error;
  }
  return { path: dir.path, git, remove: () => dir.remove() };
}

/**
 * A bare clone of a repository, standing in for a remote (GitHub, a team server): tasks name it by
 * its `file://` URL, and push to it.
 */
export async function createBareRemote(source: GitFixture): Promise<GitFixture & { url: string }> {
  const dir = await createTempDir('claudine-remote-');
  const target = join(dir.path, 'remote.git');
  try {
    await runGit(dir.path, ['clone', '-q', '--bare', source.path, target]);
  } catch (error) {
    await dir.remove();
    throw error;
  }
  return {
    path: target,
    url: `file://${target}`,
    git: (...args: string[]) => runGit(target, args),
    remove: () => dir.remove(),
  };
}

function runGit(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: isolatedGitEnv(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${detail}`, { cause: error }));
          return;
        }
        resolve(stdout.trim());
      },
    );
  });
}

/**
 * Tests run from git hooks inherit GIT_DIR / GIT_INDEX_FILE / GIT_WORK_TREE, which would make
 * every command below act on the outer repository; global config (signing, hooks paths,
 * templates) would make fixtures differ between machines.
 */
export function isolatedGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

function resolveInside(root: string, relativePath: string): string {
  const normalized = normalize(relativePath);
  if (isAbsolute(normalized) || normalized === '..' || normalized.startsWith(`..${sep}`)) {
    throw new Error(`Fixture file path must stay inside the repository: ${relativePath}`);
  }
  return join(root, normalized);
}
