import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AppError, classifyRepository, type Task } from '@claudine/core';
import type { ClaudineBackend } from './backend';
import {
  CancelTaskInput,
  DelegateTaskInput,
  GetScheduleInput,
  LIST_LIMITS,
  ListSchedulesInput,
  ListWorkersInput,
  LOGS_LIMITS,
  parseSince,
  ResumeTaskInput,
  RetryTaskInput,
  ScheduleIdInput,
  ScheduleTaskInput,
  TaskLogsInput,
  TaskStatusInput,
  WAIT_LIMITS,
  WaitForTaskInput,
} from './schemas';
import { readTranscript } from './task-logs';
import {
  protoSpecFrom,
  resolveRepository,
  unreachableRepositoryHint,
  type McpDefaults,
  type ResolvedRepository,
} from './task-spec';
import { toolError } from './tool-error';
import {
  scheduleLine,
  scheduleView,
  ScheduleViewSchema,
  taskLine,
  taskSummary,
  TaskSummarySchema,
  taskView,
  TaskViewSchema,
  workerView,
  WorkerViewSchema,
  type TaskView,
} from './views';
import { waitForTasks } from './wait-for-tasks';

export interface ClaudineMcpServerOptions {
  backend: ClaudineBackend;
  /** The lead session's repository, for DelegateTask and ScheduleTask calls that name none. */
  defaults?: McpDefaults;
  /** @default 'claudine' */
  name?: string;
  /** @default '0.1.0' */
  version?: string;
  /** WaitForTask's progress notifications, between task ends. @default 15000 */
  progressIntervalMs?: number;
}

/** The names of the tools, as the original Claudine had them (and two new ones). */
export const TOOL_NAMES = [
  'DelegateTask',
  'TaskStatus',
  'TaskLogs',
  'CancelTask',
  'RetryTask',
  'ResumeTask',
  'ScheduleTask',
  'ListSchedules',
  'GetSchedule',
  'CancelSchedule',
  'PauseSchedule',
  'ResumeSchedule',
  'ListWorkers',
  'WaitForTask',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What a tool's body returns: the structured content (matching its output schema) and a short text. */
interface ToolOutput<O> {
  structured: O;
  text: string;
}

const REPOSITORY_CODES = new Set([
  'REPOSITORY_NOT_FOUND',
  'REPOSITORY_INVALID',
  'BASE_REF_NOT_FOUND',
  'POLICY_REFUSED',
]);

/**
 * An MCP server with every Claudine tool registered, over `backend`. The one definition of the
 * tools: the stdio gateway (`claudine mcp`) and the coordinator's /mcp endpoint both serve it.
 */
export function createClaudineMcpServer(options: ClaudineMcpServerOptions): McpServer {
  const { backend } = options;
  const defaults = options.defaults ?? {};
  const progressIntervalMs = options.progressIntervalMs ?? 15_000;
  const server = new McpServer(
    { name: options.name ?? 'claudine', version: options.version ?? '0.1.0' },
    {
      instructions:
        'Claudine runs coding tasks on a cluster of Claude Code agents, each in its own git worktree. ' +
        'DelegateTask queues one (fan out with several calls, join with WaitForTask); TaskStatus, TaskLogs and ' +
        'WaitForTask follow them; ScheduleTask runs them on a cron.',
    },
  );

  function tool<I extends z.ZodObject, O extends z.ZodObject>(
    name: ToolName,
    config: { title: string; description: string; input: I; output: O; annotations: ToolAnnotations },
    run: (input: z.output<I>, extra: Extra) => Promise<ToolOutput<z.output<O>>>,
  ): void {
    const handler = async (input: z.output<I>, extra: Extra): Promise<CallToolResult> => {
      try {
        const { structured, text } = await run(input, extra);
        return {
          content: [{ type: 'text', text }],
          structuredContent: structured,
        };
      } catch (error) {
        if (error instanceof ToolFailure) return toolError(error.cause, error.hint);
        return toolError(error);
      }
    };
    server.registerTool(
      name,
      {
        title: config.title,
        description: config.description,
        inputSchema: config.input,
        outputSchema: config.output,
        annotations: config.annotations,
      },
      handler as never,
    );
  }

  const readOnly: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
  const creates: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, openWorldHint: true };
  const changes: ToolAnnotations = {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  };

  /** Delegation errors about the repository carry the fix: push, or share the path. */
  async function delegating<T>(resolved: ResolvedRepository, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (
        error instanceof AppError &&
        REPOSITORY_CODES.has(error.code) &&
        classifyRepository(resolved.repository).kind === 'path'
      )
        throw new ToolFailure(error, unreachableRepositoryHint(resolved, defaults));
      throw error;
    }
  }

  const TaskOutput = z.object({ task: TaskViewSchema.describe('the task, as it is now') });

  tool(
    'DelegateTask',
    {
      title: 'Delegate a task',
      description:
        'Queue a coding task for a Claude Code agent on the cluster; returns its id at once (it runs in the background). ' +
        'Without repository: the repository this server runs in, from its current branch. Fan out with several calls ' +
        '(dependsOn and continueFrom chain them), then WaitForTask to join.',
      input: DelegateTaskInput,
      output: TaskOutput,
      annotations: creates,
    },
    async (input) => {
      const resolved = resolveRepository(input, defaults);
      const task = await delegating(resolved, () => backend.delegate(protoSpecFrom(input, resolved)));
      const view = taskView(task);
      const from = `${task.spec.repository}${task.spec.baseRef ? ` @ ${task.spec.baseRef}` : ''}`;
      return {
        structured: { task: view },
        text: `${taskLine(view)} (${from}). WaitForTask waits for it; TaskLogs shows its transcript.`,
      };
    },
  );

  tool(
    'TaskStatus',
    {
      title: 'Task status',
      description:
        'One task in detail (state, result, error, dependencies, branch and merge), or without taskId the latest tasks.',
      input: TaskStatusInput,
      output: z.object({
        task: TaskViewSchema.optional().describe('with taskId'),
        tasks: z.array(TaskSummarySchema).optional().describe('without taskId: newest first'),
        more: z.boolean().optional().describe('without taskId: there are more tasks than shown'),
      }),
      annotations: readOnly,
    },
    async (input) => {
      if (input.taskId !== undefined) {
        const view = taskView(await backend.get(input.taskId));
        return { structured: { task: view }, text: withRepositoryAdvice(view) };
      }
      const page = await backend.list({
        states: input.states,
        pageSize: input.limit ?? LIST_LIMITS.defaultTasks,
      });
      const tasks = page.tasks.map(taskSummary);
      return {
        structured: { tasks, more: page.nextPageToken !== '' },
        text: tasks.length === 0 ? 'no tasks' : tasks.map((t) => `${t.id} ${t.state} ${t.prompt}`).join('\n'),
      };
    },
  );

  tool(
    'TaskLogs',
    {
      title: 'Task transcript',
      description:
        "A task's transcript, as `claudine logs` prints it: the agent's text, its tool calls and results (cut), states. " +
        `At most maxChars characters (default ${LOGS_LIMITS.defaultMaxChars}): the newest part is kept and the text says what was cut.`,
      input: TaskLogsInput,
      output: z.object({
        taskId: z.string(),
        state: TaskViewSchema.shape.state,
        transcript: z.string(),
        events: z.number().int().describe('events read'),
        lastOffset: z.number().int().describe('pass as afterOffset to read on from here'),
        truncated: z.boolean().describe('the transcript was longer than maxChars: its start was cut'),
        omittedChars: z.number().int(),
      }),
      annotations: readOnly,
    },
    async (input) => {
      const task = await backend.get(input.taskId);
      const read = await readTranscript(backend, {
        taskId: input.taskId,
        tail: input.tail,
        sinceMs: input.since === undefined ? undefined : parseSince(input.since),
        afterOffset: input.afterOffset,
        maxChars: input.maxChars ?? LOGS_LIMITS.defaultMaxChars,
      });
      return {
        structured: { taskId: task.id, state: task.state, ...read },
        text:
          read.transcript === ''
            ? `(no events for ${task.id} in that range; it is ${task.state})`
            : read.transcript,
      };
    },
  );

  tool(
    'CancelTask',
    {
      title: 'Cancel a task',
      description:
        'Cancel a queued, blocked or running task (its dependents follow their onDependencyFailure policy).',
      input: CancelTaskInput,
      output: TaskOutput,
      annotations: changes,
    },
    async (input) => {
      const view = taskView(await backend.cancel(input.taskId, input.reason ?? ''));
      return {
        structured: { task: view },
        text:
          view.state === 'cancelled'
            ? `${view.id} cancelled`
            : `${view.id} is stopping (the cancel reached its worker)`,
      };
    },
  );

  tool(
    'RetryTask',
    {
      title: 'Retry a task',
      description: 'Run a finished task again: a new task with the same spec, linked to it (retryOf).',
      input: RetryTaskInput,
      output: TaskOutput,
      annotations: creates,
    },
    async (input) => {
      const view = taskView(await backend.retry(input.taskId));
      return { structured: { task: view }, text: `${taskLine(view)} (retry of ${input.taskId})` };
    },
  );

  tool(
    'ResumeTask',
    {
      title: 'Resume a task',
      description:
        "Continue a finished task as a new task: its Claude session (same worktree) when the worker that ran it is alive, else a new session given the previous attempt's context.",
      input: ResumeTaskInput,
      output: z.object({
        task: TaskViewSchema.describe('the new task'),
        mode: z.enum(['same_session', 'new_session']).describe('how it continues the finished one'),
        explanation: z.string().describe('why this mode'),
      }),
      annotations: creates,
    },
    async (input) => {
      const resumed = await backend.resume(input.taskId, input.additionalContext ?? '');
      const view = taskView(resumed.task);
      return {
        structured: { task: view, mode: resumed.mode, explanation: resumed.explanation },
        text: `${taskLine(view)} (${resumed.mode === 'same_session' ? 'same session' : 'new session'}: ${resumed.explanation})`,
      };
    },
  );

  const ScheduleOutput = z.object({ schedule: ScheduleViewSchema.describe('the schedule, as it is now') });

  tool(
    'ScheduleTask',
    {
      title: 'Schedule a task',
      description:
        'Run a task on a cron (in a time zone), at a fixed interval, or once at a given time. Takes every DelegateTask field as the template of each run, and exactly one of cron, everyMs and runAt.',
      input: ScheduleTaskInput,
      output: ScheduleOutput,
      annotations: creates,
    },
    async (input) => {
      const resolved = resolveRepository(input, defaults);
      const schedule = await delegating(resolved, () =>
        backend.scheduleTask({
          template: protoSpecFrom(input, resolved),
          cron: input.cron ?? '',
          timeZone: input.timezone ?? '',
          everyMs: input.everyMs ?? 0,
          oneTime: input.runAt ?? '',
          ...(input.maxRuns === undefined ? {} : { maxRuns: input.maxRuns }),
          expiresAt: input.expiresAt ?? '',
          missedRunPolicy: input.missedRunPolicy ?? '',
          catchupLimit: input.catchupLimit ?? 0,
          concurrency: input.concurrency ?? '',
          afterSchedule: input.afterSchedule ?? '',
        }),
      );
      const view = scheduleView(schedule);
      return { structured: { schedule: view }, text: scheduleLine(view) };
    },
  );

  tool(
    'ListSchedules',
    {
      title: 'List schedules',
      description: 'The schedules, newest first: state, timing, runs so far, next run.',
      input: ListSchedulesInput,
      output: z.object({
        schedules: z.array(ScheduleViewSchema).describe('newest first'),
        more: z.boolean().describe('there are more schedules than shown'),
      }),
      annotations: readOnly,
    },
    async (input) => {
      const page = await backend.listSchedules({
        states: input.states,
        pageSize: input.limit ?? LIST_LIMITS.defaultSchedules,
      });
      const schedules = page.schedules.map((schedule) => scheduleView(schedule));
      return {
        structured: { schedules, more: page.nextPageToken !== '' },
        text: schedules.length === 0 ? 'no schedules' : schedules.map(scheduleLine).join('\n'),
      };
    },
  );

  tool(
    'GetSchedule',
    {
      title: 'Get a schedule',
      description:
        'One schedule: its timing, policies, next runs and (by default) its latest runs with their tasks.',
      input: GetScheduleInput,
      output: ScheduleOutput,
      annotations: readOnly,
    },
    async (input) => {
      const limit = input.includeHistory === false ? 0 : (input.historyLimit ?? 20);
      const view = scheduleView(await backend.getSchedule(input.scheduleId), limit);
      const runs = (view.history ?? []).map(
        (run) =>
          `  ${run.fireTime} ${run.outcome}${run.taskId ? ` ${run.taskId}` : ''}${run.reason ? ` (${run.reason})` : ''}`,
      );
      return { structured: { schedule: view }, text: [scheduleLine(view), ...runs].join('\n') };
    },
  );

  for (const [name, change, title, description] of [
    ['PauseSchedule', 'pause', 'Pause a schedule', 'Stop firing a schedule; it keeps its runs and history.'],
    [
      'ResumeSchedule',
      'resume',
      'Resume a schedule',
      'Fire a paused schedule again (the runs it missed meanwhile only with missedRunPolicy catchup).',
    ],
    ['CancelSchedule', 'cancel', 'Cancel a schedule', 'End a schedule for good (its running tasks go on).'],
  ] as const) {
    tool(
      name,
      { title, description, input: ScheduleIdInput, output: ScheduleOutput, annotations: changes },
      async (input) => {
        const view = scheduleView(await backend.changeSchedule(change, input.scheduleId));
        return { structured: { schedule: view }, text: scheduleLine(view) };
      },
    );
  }

  tool(
    'ListWorkers',
    {
      title: 'List workers',
      description:
        'The workers: state (running, draining, paused, dead), the tasks they run, capacity, load, free memory and labels (for requires).',
      input: ListWorkersInput,
      output: z.object({
        workers: z.array(WorkerViewSchema).describe('live workers, and dead ones for a while'),
      }),
      annotations: readOnly,
    },
    async () => {
      const workers = (await backend.listWorkers()).map(workerView);
      return {
        structured: { workers },
        text:
          workers.length === 0
            ? 'no workers: tasks stay queued until one joins'
            : workers
                .map(
                  (w) =>
                    `${w.id} ${w.state} on ${w.host}: ${w.runningTaskIds.length}/${w.capacity} tasks${w.labels.length ? `, labels ${w.labels.join(',')}` : ''}`,
                )
                .join('\n'),
      };
    },
  );

  tool(
    'WaitForTask',
    {
      title: 'Wait for tasks',
      description:
        'Block until the given tasks end (mode all, default) or the first of them ends (mode any), or the timeout; returns their results. ' +
        'Join a fan-out with one call instead of polling. Sends progress notifications when asked (a task ended, and every 15 s).',
      input: WaitForTaskInput,
      output: z.object({
        done: z.boolean().describe('all: every task ended; any: at least one did'),
        timedOut: z.boolean().describe('the timeout came first: call again to keep waiting'),
        tasks: z.array(TaskViewSchema).describe('every task asked for, in that order, as it is now'),
      }),
      annotations: readOnly,
    },
    async (input, extra) => {
      const mode = input.mode ?? 'all';
      const timeoutSeconds = input.timeoutSeconds ?? WAIT_LIMITS.defaultTimeoutSeconds;
      const progress = progressReporter(extra, timeoutSeconds);
      const total = input.taskIds.length;
      let endedCount = 0;
      const heartbeat = progress
        ? setInterval(() => progress(`${endedCount} of ${total} tasks ended; waiting`), progressIntervalMs)
        : undefined;
      try {
        const waited = await waitForTasks(backend, {
          taskIds: input.taskIds,
          mode,
          timeoutMs: timeoutSeconds * 1_000,
          signal: extra.signal,
          onWaiting: (ended) => {
            endedCount = ended;
            progress?.(`waiting for ${total - ended} of ${total} tasks`);
          },
          onTaskEnded: (task: Task, ended: number) => {
            endedCount = ended;
            progress?.(`${task.id} ${task.state} (${ended} of ${total} ended)`);
          },
        });
        const views = waited.tasks.map(taskView);
        const head = waited.done
          ? mode === 'all'
            ? `all ${total} tasks ended`
            : 'a task ended'
          : `timed out after ${timeoutSeconds}s: ${views.filter((v) => isEnded(v)).length} of ${total} ended; call WaitForTask again to keep waiting`;
        return {
          structured: { done: waited.done, timedOut: waited.timedOut, tasks: views },
          text: [head, ...views.map(withRepositoryAdvice)].join('\n'),
        };
      } finally {
        if (heartbeat) clearInterval(heartbeat);
      }
    },
  );

  return server;
}

/** A failure with the advice that fits it better than its code's. */
class ToolFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly hint: string,
  ) {
    super('tool failure');
  }
}

function isEnded(view: TaskView): boolean {
  return view.state === 'completed' || view.state === 'failed' || view.state === 'cancelled';
}

/** A task's line, with the fix when it failed because the workers could not reach its repository. */
function withRepositoryAdvice(view: TaskView): string {
  const line = taskLine(view);
  if (view.error && (view.error.code === 'REPOSITORY_NOT_FOUND' || view.error.code === 'BASE_REF_NOT_FOUND'))
    return `${line}\n  The worker could not reach ${view.repository}${view.baseRef ? ` @ ${view.baseRef}` : ''}: push the branch and delegate with the repository URL, or put the repository on a path the workers share (CLAUDINE_REPOSITORY_ROOTS).`;
  return line;
}

/**
 * Sends `notifications/progress` for this request when the client asked (a progressToken in
 * `_meta`). Progress is the seconds waited out of the timeout, so it only grows; the message
 * says how many tasks ended.
 */
function progressReporter(extra: Extra, totalSeconds: number): ((message: string) => void) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  const started = Date.now();
  let last = 0;
  return (message) => {
    const elapsed = Math.round((Date.now() - started) / 10) / 100;
    last = Math.max(elapsed, last + 0.01);
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: last, total: totalSeconds, message },
      })
      .catch(() => undefined);
  };
}
