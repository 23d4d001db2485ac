import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { AppError, type PermissionMode } from '@claudine/core';
import type {
  AgentExecutor,
  AgentResultReport,
  AgentRunCallbacks,
  AgentRunOutcome,
  AgentRunRequest,
  PreparedAgentRun,
  StopReason,
} from './agent-executor';
import { buildAgentEnvironment } from './agent-environment';
import { ProcessGroup } from './process-group';
import { parseStreamJsonLine } from './stream-json';

export interface ClaudeCodeExecutorOptions {
  /** The executable, then fixed leading arguments (for example a wrapper script). */
  command: readonly string[];
  /** Cluster default, overridden per task. */
  permissionMode: PermissionMode;
  /** The modes a task may ask for; others are refused before the agent starts. */
  allowedPermissionModes: readonly PermissionMode[];
  /** Cluster default allowed tool rules, used when a task gives none. */
  allowedTools: readonly string[];
  /** Environment variable patterns passed from the worker to the agent. */
  envAllowlist: readonly string[];
  /** Variables set for every agent. */
  envFixed: Record<string, string>;
  /** Set IS_SANDBOX=1, which Claude Code requires to bypass permissions as root. */
  sandboxed: boolean;
  /** A Claude Code `.credentials.json` copied into each agent's config directory. */
  credentialsFile?: string;
  /** SIGTERM → SIGKILL grace at a timeout or shutdown. */
  killGraceMs: number;
  /** SIGTERM → SIGKILL grace at a cancellation: short, since the caller waits (Claude Code takes over a second to exit on SIGTERM). */
  cancelGraceMs: number;
  /** The worker's environment (injectable for tests). */
  sourceEnv?: NodeJS.ProcessEnv;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const MAX_STDERR_EVENTS = 200;

/** Builds Claude Code's argument vector. The prompt is one element: never through a shell. */
export function buildClaudeArgs(request: AgentRunRequest, options: ClaudeCodeExecutorOptions): string[] {
  const { agent } = request;
  const args = ['-p', request.prompt, '--output-format', 'stream-json', '--verbose'];
  args.push('--permission-mode', agent.permissionMode ?? options.permissionMode);
  const allowedTools = agent.allowedTools ?? options.allowedTools;
  if (allowedTools.length > 0) args.push('--allowedTools', ...allowedTools);
  if (agent.model) args.push('--model', agent.model);
  if (agent.maxTurns) args.push('--max-turns', String(agent.maxTurns));
  if (agent.appendSystemPrompt) args.push('--append-system-prompt', agent.appendSystemPrompt);
  if (agent.maxBudgetUsd) args.push('--max-budget-usd', String(agent.maxBudgetUsd));
  if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
  return args;
}

/** Runs the real `claude` CLI headless, one process group and one config directory per task. */
export class ClaudeCodeExecutor implements AgentExecutor {
  readonly name = 'claude-code';

  constructor(private readonly options: ClaudeCodeExecutorOptions) {}

  async prepare(request: AgentRunRequest): Promise<PreparedAgentRun> {
    const mode = request.agent.permissionMode ?? this.options.permissionMode;
    if (!this.options.allowedPermissionModes.includes(mode)) {
      throw new AppError(
        'POLICY_REFUSED',
        `permission mode ${mode} is not allowed on this worker (allowed: ${this.options.allowedPermissionModes.join(', ')}; see CLAUDINE_AGENT_PERMISSION_MODES)`,
      );
    }
    const configDir = path.join(request.runDir, 'claude-config');
    await mkdir(configDir, { recursive: true });
    // The copy lives only while the agent runs; the transcript next to it is kept.
    const credentialsCopy = this.options.credentialsFile
      ? path.join(configDir, '.credentials.json')
      : undefined;
    if (this.options.credentialsFile && credentialsCopy) {
      await copyFile(this.options.credentialsFile, credentialsCopy);
    }
    const [executable, ...leading] = this.options.command;
    if (!executable) throw new Error('the agent command is empty');
    const args = [...leading, ...buildClaudeArgs(request, this.options)];
    const env = buildAgentEnvironment(this.options.sourceEnv ?? process.env, {
      allowlist: this.options.envAllowlist,
      fixed: {
        ...this.options.envFixed,
        // Each agent its own config: concurrent CLIs corrupt a shared ~/.claude.json.
        CLAUDE_CONFIG_DIR: configDir,
        ...(this.options.sandboxed ? { IS_SANDBOX: '1' } : {}),
      },
    });
    return new ClaudeCodeRun(executable, args, request.cwd, env, this.options, credentialsCopy);
  }
}

class ClaudeCodeRun implements PreparedAgentRun {
  readonly description: string;
  private group: ProcessGroup | undefined;
  private stoppedFor: StopReason | undefined;

  constructor(
    private readonly executable: string,
    private readonly args: string[],
    private readonly cwd: string,
    private readonly env: Record<string, string>,
    private readonly graces: { killGraceMs: number; cancelGraceMs: number },
    private readonly credentialsCopy: string | undefined,
  ) {
    const shown = args.map((arg, i) => (args[i - 1] === '-p' ? `<prompt: ${arg.length} chars>` : arg));
    this.description = [executable, ...shown].join(' ');
  }

  async run(callbacks: AgentRunCallbacks): Promise<AgentRunOutcome> {
    try {
      return await this.runAgent(callbacks);
    } finally {
      if (this.credentialsCopy) await rm(this.credentialsCopy, { force: true });
    }
  }

  private async runAgent(callbacks: AgentRunCallbacks): Promise<AgentRunOutcome> {
    if (this.stoppedFor) {
      return { exitCode: null, signal: null, stoppedFor: this.stoppedFor, stderrTail: '' };
    }
    const group = new ProcessGroup(this.executable, this.args, {
      cwd: this.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.group = group;
    if (group.pid !== undefined) callbacks.onStarted?.(group.pid, Date.now());

    let result: AgentResultReport | undefined;
    let sessionId: string | undefined;
    let rateLimitedUntilMs: number | undefined;
    let stderrTail = '';
    let stderrEvents = 0;

    const stdoutDone = new Promise<void>((resolve) => {
      if (!group.child.stdout) return resolve();
      const lines = readline.createInterface({ input: group.child.stdout, crlfDelay: Infinity });
      lines.on('line', (line) => {
        for (const event of parseStreamJsonLine(line)) {
          if (event.type === 'agent.init') sessionId = event.data.sessionId || sessionId;
          if (event.type === 'agent.rate_limit' && event.data.status === 'rejected') {
            rateLimitedUntilMs = resetTimeMs(event.data.resetsAt);
          }
          if (event.type === 'agent.result') {
            result = event.data;
            sessionId = event.data.sessionId || sessionId;
          }
          callbacks.onEvent(event);
        }
      });
      lines.once('close', () => resolve());
    });
    const stderrDone = new Promise<void>((resolve) => {
      if (!group.child.stderr) return resolve();
      const lines = readline.createInterface({ input: group.child.stderr, crlfDelay: Infinity });
      lines.on('line', (line) => {
        stderrTail = `${stderrTail}${line}\n`.slice(-STDERR_TAIL_BYTES);
        if (stderrEvents++ < MAX_STDERR_EVENTS) callbacks.onEvent({ type: 'agent.stderr', data: { line } });
      });
      lines.once('close', () => resolve());
    });

    if (this.stoppedFor) group.stop(this.graceFor(this.stoppedFor));
    const exit = await group.done;
    await Promise.all([stdoutDone, stderrDone]);
    return {
      exitCode: exit.exitCode,
      signal: exit.signal,
      spawnError: exit.error,
      result,
      sessionId,
      stoppedFor: this.stoppedFor,
      rateLimitedUntilMs,
      stderrTail: stderrTail.trim(),
    };
  }

  stop(reason: StopReason): void {
    this.stoppedFor ??= reason;
    this.group?.stop(this.graceFor(reason));
  }

  private graceFor(reason: StopReason): number {
    // A fenced run's work is not wanted any more: it stops as fast as a cancelled one.
    return reason === 'cancelled' || reason === 'fenced'
      ? this.graces.cancelGraceMs
      : this.graces.killGraceMs;
  }
}

/** Claude Code reports `resetsAt` in epoch seconds; a missing one means "about a minute". */
function resetTimeMs(resetsAt: number | undefined): number {
  if (resetsAt === undefined) return Date.now() + 60_000;
  return resetsAt < 1e12 ? resetsAt * 1000 : resetsAt;
}

/**
 * Where Claude Code keeps a session's transcript: `<config dir>/projects/<cwd with every
 * non-alphanumeric character replaced by ->/<session id>.jsonl`. A session resumes only from
 * the same config dir and the same working directory.
 */
export function transcriptPath(runDir: string, cwd: string, sessionId: string): string {
  return path.join(
    runDir,
    'claude-config',
    'projects',
    cwd.replace(/[^A-Za-z0-9]/g, '-'),
    `${sessionId}.jsonl`,
  );
}
