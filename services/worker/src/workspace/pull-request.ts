import { execFile } from 'node:child_process';
import { errorMessage } from '@claudine/core';

/** Environment variables `gh` may see: its own settings and credentials, nothing of the cluster's. */
const GH_ENV_ALLOWLIST = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'GH_TOKEN',
  'GITHUB_TOKEN',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_ENTERPRISE_TOKEN',
  'GH_HOST',
  'GH_CONFIG_DIR',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
] as const;

const GH_TIMEOUT_MS = 60_000;
const PROMPT_IN_BODY_MAX_CHARS = 4_000;
const RESULT_IN_BODY_MAX_CHARS = 8_000;
const FILES_IN_BODY_MAX = 100;

export interface PullRequestContent {
  taskId: string;
  prompt: string;
  resultText: string;
  costUsd: number;
  changedFiles: readonly string[];
}

export interface PullRequestRequest {
  /** The `gh` executable (and leading arguments). */
  command: readonly string[];
  /** Where gh runs: the task's worktree, whose remote tells gh the repository when `repo` is unknown. */
  cwd: string;
  /** `[HOST/]OWNER/REPO` when it can be told from the remote URL. */
  repo?: string;
  head: string;
  base: string;
  title: string;
  body: string;
}

export type PullRequestOutcome = { opened: true; url: string } | { opened: false; reason: string };

/** The title of a task's pull request: the first line of its prompt. */
export function pullRequestTitle(prompt: string): string {
  const first = (prompt.trim().split('\n')[0] ?? '').trim();
  return first.length > 72 ? `${first.slice(0, 71)}…` : first || 'Claudine task';
}

/** The body of a task's pull request: the prompt, the agent's result, its cost and the changed files. */
export function pullRequestBody(content: PullRequestContent): string {
  const clip = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max)}\n…(truncated)` : text;
  const files = content.changedFiles.slice(0, FILES_IN_BODY_MAX).map((file) => `- \`${file}\``);
  if (content.changedFiles.length > FILES_IN_BODY_MAX)
    files.push(`- …and ${content.changedFiles.length - FILES_IN_BODY_MAX} more`);
  return [
    `Opened by Claudine for task \`${content.taskId}\`.`,
    '',
    '## Prompt',
    '',
    clip(content.prompt.trim(), PROMPT_IN_BODY_MAX_CHARS),
    '',
    '## Result',
    '',
    clip(content.resultText.trim(), RESULT_IN_BODY_MAX_CHARS) || '(no result text)',
    '',
    `**Cost:** $${content.costUsd.toFixed(4)}`,
    '',
    `## Changed files (${content.changedFiles.length})`,
    '',
    ...(files.length > 0 ? files : ['(none)']),
    '',
  ].join('\n');
}

/**
 * `[HOST/]OWNER/REPO` for gh's `--repo`, from an https, ssh or scp-like remote URL; undefined for
 * anything else (a file URL, a path), where gh works it out from the worktree's remote.
 */
export function repositorySlug(remoteUrl: string): string | undefined {
  const scpLike =
    /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):([A-Za-z0-9._~-]+)\/([A-Za-z0-9._~-]+?)(?:\.git)?\/?$/.exec(remoteUrl);
  if (scpLike) return `${scpLike[1]}/${scpLike[2]}/${scpLike[3]}`;
  let url: URL;
  try {
    url = new URL(remoteUrl);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:'].includes(url.protocol) || url.hostname === '') return undefined;
  const parts = url.pathname
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length !== 2 || parts.some((part) => part === '')) return undefined;
  return `${url.hostname}/${parts[0]}/${parts[1]}`;
}

/**
 * Runs `gh pr create` (an argument vector, no shell, no prompts) and returns the pull request's
 * URL, or why none was opened: gh missing, not logged in, or refused by the host.
 */
export function createPullRequest(request: PullRequestRequest): Promise<PullRequestOutcome> {
  const [executable, ...leading] = request.command;
  if (!executable) return Promise.resolve({ opened: false, reason: 'no gh command is configured' });
  const args = [
    ...leading,
    'pr',
    'create',
    ...(request.repo ? ['--repo', request.repo] : []),
    '--head',
    request.head,
    '--base',
    request.base,
    '--title',
    request.title,
    '--body',
    request.body,
  ];
  const env: NodeJS.ProcessEnv = { GH_PROMPT_DISABLED: '1', NO_COLOR: '1', GH_NO_UPDATE_NOTIFIER: '1' };
  for (const name of GH_ENV_ALLOWLIST) if (process.env[name] !== undefined) env[name] = process.env[name];
  return new Promise((resolve) => {
    execFile(
      executable,
      args,
      { cwd: request.cwd, env, timeout: GH_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            resolve({ opened: false, reason: `${executable} is not installed on this worker` });
            return;
          }
          const said = String(stderr).trim().split('\n').slice(0, 5).join(' ') || errorMessage(error);
          resolve({ opened: false, reason: `gh pr create failed: ${said}` });
          return;
        }
        const url = String(stdout)
          .trim()
          .split('\n')
          .map((line) => line.trim())
          .reverse()
          .find((line) => /^https?:\/\//.test(line));
        resolve(
          url ? { opened: true, url } : { opened: false, reason: 'gh pr create printed no pull request URL' },
        );
      },
    );
  });
}
