import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createTempDir, isolatedGitEnv } from '@claudine/testing';
import { summarize, type Summary } from './stats';

export interface WorktreeCreationOptions {
  /** Files in the repository's one commit; default 50,000. */
  files?: number;
  /** Measured rounds of each method; default 5. */
  rounds?: number;
  /** Rounds run first and not counted (cold page cache, first-use costs); default 1. */
  warmup?: number;
  /** Files per directory; default 100 (so 50,000 files lie in 500 directories). */
  filesPerDirectory?: number;
}

export interface WorktreeCreationResult {
  files: number;
  directories: number;
  rounds: number;
  /** Time to build the repository with `git fast-import`, ms: context, not a measurement. */
  buildMs: number;
  /** `.git/objects` on disk (packs and loose objects), bytes. */
  objectsBytes: number;
  /** Sum of the files' contents, bytes (what a checkout writes, before filesystem blocks). */
  contentBytes: number;
  gitVersion: string;
  /** `git worktree add --force -B <branch> <path> <commit>`, as the worker runs it, ms. */
  worktree: Summary;
  /** `git clone --no-local`: every object copied through the pack protocol, then a checkout, ms. */
  fullClone: Summary;
  /** `git clone` of a local path: objects hardlinked, then a checkout, ms. */
  localClone: Summary;
  /** Worktree p50 / full clone p50. */
  ratioToFullClone: number;
  /** Worktree p50 / local clone p50. */
  ratioToLocalClone: number;
  /** Where it all ran; already removed when the result is returned. */
  workDir: string;
}

const DEFAULTS = { files: 50_000, rounds: 5, warmup: 1, filesPerDirectory: 100 } as const;

/** A fixed commit identity and date, so the repository is the same on every run. */
const COMMITTER = 'Claudine Bench <bench@claudine.invalid> 1700000000 +0000';

/** Git without the user's or the machine's configuration, as Claudine's own git wrapper runs it. */
const GIT_ENV: NodeJS.ProcessEnv = { ...isolatedGitEnv(), GIT_OPTIONAL_LOCKS: '0' };

/**
 * Runs git with an argument vector (no shell) and resolves with its trimmed stdout. `input`,
 * when given, is streamed to git's stdin; otherwise stdin is closed at once.
 */
function runGit(
  cwd: string,
  args: readonly string[],
  input?: AsyncIterable<string> | Iterable<string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd, env: GIT_ENV, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim() || error.message}`));
        } else {
          resolve(stdout.trim());
        }
      },
    );
    if (!child.stdin) return;
    if (input === undefined) {
      child.stdin.end();
      return;
    }
    // A write that fails means git stopped reading: its exit status and stderr say why, above.
    pipeline(Readable.from(input), child.stdin).catch(() => undefined);
  });
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

interface FixtureLayout {
  files: number;
  filesPerDirectory: number;
  directories: number;
  /** Zero-padded names sort like numbers, as a real tree's do not need to but a reader expects. */
  directoryName(index: number): string;
  fileName(index: number): string;
}

function layoutFor(files: number, filesPerDirectory: number): FixtureLayout {
  const directories = Math.ceil(files / filesPerDirectory);
  const directoryDigits = String(Math.max(0, directories - 1)).length;
  const fileDigits = String(Math.max(0, filesPerDirectory - 1)).length;
  return {
    files,
    filesPerDirectory,
    directories,
    directoryName: (index) => `dir-${String(index).padStart(directoryDigits, '0')}`,
    fileName: (index) => `file-${String(index).padStart(fileDigits, '0')}.txt`,
  };
}

/** Repository-relative path and content of file number `n` (0-based); every content differs. */
function fixtureFile(layout: FixtureLayout, n: number): { path: string; content: string } {
  const directory = layout.directoryName(Math.floor(n / layout.filesPerDirectory));
  const file = `${directory}/${layout.fileName(n % layout.filesPerDirectory)}`;
  return {
    path: file,
    content: `${file}\nbench fixture file ${n}\nvalue = ${(n * 2654435761) % 4294967296}\n`,
  };
}

/**
 * The `git fast-import` stream of one commit holding every file, one chunk per directory. It
 * makes the objects and the ref directly: no working tree, no index, no `git add` of each file.
 */
function* fastImportStream(layout: FixtureLayout, totals: { contentBytes: number }): Generator<string> {
  const message = `bench fixture: ${layout.files} files\n`;
  yield `commit refs/heads/main\ncommitter ${COMMITTER}\ndata ${Buffer.byteLength(message)}\n${message}`;
  for (let directory = 0; directory < layout.directories; directory++) {
    let chunk = '';
    const end = Math.min(layout.files, (directory + 1) * layout.filesPerDirectory);
    for (let n = directory * layout.filesPerDirectory; n < end; n++) {
      const file = fixtureFile(layout, n);
      const bytes = Buffer.byteLength(file.content);
      totals.contentBytes += bytes;
      chunk += `M 100644 inline ${file.path}\ndata ${bytes}\n${file.content}\n`;
    }
    yield chunk;
  }
  yield 'done\n';
}

/** `.git/objects` on disk as git counts it (loose `size` plus `size-pack`, both KiB). */
async function objectsOnDisk(repository: string): Promise<number> {
  const counts = await runGit(repository, ['count-objects', '-v']);
  const kib = (field: string): number => Number(new RegExp(`^${field}: (\\d+)$`, 'm').exec(counts)?.[1] ?? 0);
  return (kib('size') + kib('size-pack')) * 1024;
}

/** Fails the run when a checkout is missing its last file: a fast number for an empty tree is worthless. */
async function assertCheckedOut(dir: string, expected: { path: string; content: string }): Promise<void> {
  const content = await readFile(path.join(dir, expected.path), 'utf8').catch(() => undefined);
  if (content !== expected.content)
    throw new Error(`${dir} lacks ${expected.path}: the checkout is incomplete`);
}

/**
 * Worktree creation against a full clone, on a repository of `files` files in one commit.
 *
 * Claudine's way is the command its worker runs for a task on a local repository:
 * `git worktree add --quiet --force -B claudine/<task id> <path> <base commit>` in that
 * repository. It writes a working tree and an index but copies no object. The baseline is what
 * a runner that clones per task pays: `git clone --no-local`, every object through the pack
 * protocol, then the same checkout (`--no-local` because a plain clone of a local path hardlinks
 * the objects, which is measured too, as context). The methods take turns within each round so
 * drift on the machine falls on all three; removing a checkout is never timed.
 */
export async function measureWorktreeCreation(
  options: WorktreeCreationOptions = {},
): Promise<WorktreeCreationResult> {
  const files = options.files ?? DEFAULTS.files;
  const rounds = options.rounds ?? DEFAULTS.rounds;
  const warmup = options.warmup ?? DEFAULTS.warmup;
  const layout = layoutFor(files, options.filesPerDirectory ?? DEFAULTS.filesPerDirectory);
  if (!(files >= 1 && rounds >= 1 && warmup >= 0 && layout.filesPerDirectory >= 1)) {
    throw new RangeError(`invalid options: ${files} files, ${rounds} rounds, ${warmup} warmup`);
  }
  const tmp = await createTempDir('claudine-bench-worktree-');
  try {
    const source = path.join(tmp.path, 'source');
    const worktrees = path.join(tmp.path, 'worktrees');
    const clones = path.join(tmp.path, 'clones');
    await mkdir(source);
    await mkdir(worktrees);
    await mkdir(clones);
    const gitVersion = (await runGit(tmp.path, ['--version'])).replace(/^git version /, '');

    const totals = { contentBytes: 0 };
    const buildStart = performance.now();
    await runGit(source, ['init', '--quiet', '-b', 'main']);
    await runGit(source, ['fast-import', '--quiet'], fastImportStream(layout, totals));
    const buildMs = performance.now() - buildStart;
    const commit = await runGit(source, ['rev-parse', '--verify', 'refs/heads/main^{commit}']);
    const lastFile = fixtureFile(layout, files - 1);

    const worktree: number[] = [];
    const fullClone: number[] = [];
    const localClone: number[] = [];
    for (let round = 0; round < warmup + rounds; round++) {
      const counted = round >= warmup;

      const branch = `claudine/bench-${round}`;
      const worktreePath = path.join(worktrees, `bench-${round}`);
      const worktreeMs = await timed(() =>
        runGit(source, ['worktree', 'add', '--quiet', '--force', '-B', branch, worktreePath, commit]),
      );
      await assertCheckedOut(worktreePath, lastFile);
      await runGit(source, ['worktree', 'remove', '--force', '--force', worktreePath]);
      // Every round starts from the same repository: no branch left from the previous one.
      await runGit(source, ['branch', '--quiet', '-D', branch]);

      const fullPath = path.join(clones, `full-${round}`);
      const fullMs = await timed(() => runGit(clones, ['clone', '--quiet', '--no-local', source, fullPath]));
      await assertCheckedOut(fullPath, lastFile);
      await rm(fullPath, { recursive: true, force: true });

      const localPath = path.join(clones, `local-${round}`);
      const localMs = await timed(() => runGit(clones, ['clone', '--quiet', source, localPath]));
      await assertCheckedOut(localPath, lastFile);
      await rm(localPath, { recursive: true, force: true });

      if (counted) {
        worktree.push(worktreeMs);
        fullClone.push(fullMs);
        localClone.push(localMs);
      }
    }

    const summaries = {
      worktree: summarize(worktree),
      fullClone: summarize(fullClone),
      localClone: summarize(localClone),
    };
    return {
      files,
      directories: layout.directories,
      rounds,
      buildMs,
      objectsBytes: await objectsOnDisk(source),
      contentBytes: totals.contentBytes,
      gitVersion,
      ...summaries,
      ratioToFullClone: summaries.worktree.p50 / summaries.fullClone.p50,
      ratioToLocalClone: summaries.worktree.p50 / summaries.localClone.p50,
      workDir: tmp.path,
    };
  } finally {
    await tmp.remove();
  }
}
