#!/usr/bin/env node
import { Command } from 'commander';
import { runMcpGateway } from '@claudine/mcp-gateway';
import { ClusterClient, DEFAULT_ADDRESS, type ConnectOptions } from './client/cluster-client';
import { auditCommand, type AuditFlags } from './commands/audit-command';
import { dependCommand, type DependFlags } from './commands/graph-command';
import {
  pipelineCommand,
  scheduleChangeCommand,
  scheduleCreateCommand,
  scheduleGetCommand,
  scheduleListCommand,
  type PipelineFlags,
  type ScheduleCreateFlags,
  type ScheduleListFlags,
} from './commands/schedule-commands';
import { upCommand } from './commands/up-command';
import {
  cancelCommand,
  delegateCommand,
  logsCommand,
  patchCommand,
  resumeCommand,
  retryCommand,
  statusCommand,
  type LogsFlags,
} from './commands/task-commands';
import { workersCommand, workersDrainCommand } from './commands/worker-commands';
import {
  worktreesGcCommand,
  worktreesListCommand,
  type WorktreesGcFlags,
  type WorktreesListFlags,
} from './commands/worktree-commands';
import { EXIT, fail } from './output';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Runs a client command against the coordinator, closing the connection and exiting with its code. */
function withClient<A extends unknown[]>(run: (client: ClusterClient, ...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    const address =
      (program.opts().address as string | undefined) ?? process.env.CLAUDINE_ADDRESS ?? DEFAULT_ADDRESS;
    let client: ClusterClient;
    try {
      client = ClusterClient.connect(address, connectOptions());
    } catch (error) {
      fail(error);
    }
    let code: number;
    try {
      code = await run(client, ...args);
    } catch (error) {
      client.close();
      fail(error);
    }
    client.close();
    process.exitCode = code;
  };
}

/** Token and TLS files: the flags, else the environment (empty values count as unset). */
function connectOptions(): ConnectOptions {
  const flags = program.opts<{
    token?: string;
    tlsCa?: string;
    tlsCert?: string;
    tlsKey?: string;
    tlsServerName?: string;
  }>();
  const env = (name: string): string | undefined => process.env[name] || undefined;
  return {
    token: flags.token ?? env('CLAUDINE_TOKEN'),
    tlsCaFile: flags.tlsCa ?? env('CLAUDINE_TLS_CA_FILE'),
    tlsCertFile: flags.tlsCert ?? env('CLAUDINE_TLS_CLIENT_CERT_FILE'),
    tlsKeyFile: flags.tlsKey ?? env('CLAUDINE_TLS_CLIENT_KEY_FILE'),
    tlsServerName: flags.tlsServerName ?? env('CLAUDINE_TLS_SERVER_NAME'),
  };
}

const program = new Command()
  .name('claudine')
  .description('Delegate coding tasks to Claude Code agents running on a cluster of workers.')
  .option(
    '--address <host:port>',
    `coordinator gRPC address (env CLAUDINE_ADDRESS, default ${DEFAULT_ADDRESS})`,
  )
  .option('--token <token>', 'bearer token for a coordinator that requires one (env CLAUDINE_TOKEN)')
  .option('--tls-ca <file>', "TLS: the CA (PEM) of the coordinator's certificate (env CLAUDINE_TLS_CA_FILE)")
  .option('--tls-cert <file>', 'TLS: a client certificate (PEM) (env CLAUDINE_TLS_CLIENT_CERT_FILE)')
  .option('--tls-key <file>', "TLS: the client certificate's key (PEM) (env CLAUDINE_TLS_CLIENT_KEY_FILE)")
  .option(
    '--tls-server-name <name>',
    'TLS: the name to check the certificate against, when the address is not it (env CLAUDINE_TLS_SERVER_NAME)',
  )
  .showHelpAfterError()
  // Usage errors exit 2 (invalid input), never 1, which means "the task failed".
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT.invalidInput));

program
  .command('up')
  .description('run a local cluster: Redis, a coordinator and workers, until Ctrl-C')
  .option('--workers <n>', 'worker processes', '2')
  .option('--capacity <n>', 'tasks each worker runs at once', '2')
  .option('--port <port>', 'gRPC port', '50551')
  .option('--redis-url <url>', 'use this Redis instead of starting one (env REDIS_URL)')
  .option(
    '--state-dir <dir>',
    "Redis data and AOF, and the workers' data (env CLAUDINE_HOME, default ~/.claudine/local)",
  )
  .action(async (flags: Record<string, unknown>) => {
    try {
      process.exitCode = await upCommand(flags);
    } catch (error) {
      fail(error);
    }
  });

/** The options that make a task spec: delegate's, and the template of `schedule create` and `pipeline`. */
function taskSpecOptions(command: Command): Command {
  return command
    .option('--repo <path|url>', 'repository (default: the git repository of the current directory)')
    .option('--base <ref>', 'branch, tag or commit to start from (default: HEAD)')
    .option('--workdir <path>', 'directory inside the repository where the agent starts')
    .option('--priority <P0|P1|P2>', 'P0 runs first', 'P2')
    .option('--timeout <duration>', 'stop the agent after this long, e.g. 90s, 30m, 2h (default 30m)')
    .option('--model <name>', 'Claude model')
    .option('--permission-mode <mode>', 'default | acceptEdits | plan | bypassPermissions | dontAsk')
    .option('--allowed-tools <rule>', 'a permission rule such as "Bash(npm test)"; repeatable', collect)
    .option('--max-turns <n>', 'stop after this many agent turns')
    .option('--append-system-prompt <text>', 'extra system prompt')
    .option('--label <key=value>', 'a label; repeatable', collect)
    .option(
      '--requires <labels>',
      'worker labels the task needs, comma-separated (e.g. gpu,repo:web); repeatable',
      collect,
    )
    .option(
      '--affinity <task-id|key>',
      'prefer the worker that ran this task (or last ran a task with this key), for warm caches',
    )
    .option(
      '--merge <strategy>',
      'branch (keep the task branch; pushed for URL repositories) | pr (push, open a pull request with gh) | auto (merge into the base branch) | patch | none',
      'branch',
    )
    .option('--depends-on <taskId>', 'wait for this task to finish first; repeatable', collect)
    .option(
      '--on-dependency-failure <policy>',
      'when a dependency fails: fail (default) | cancel | continue (run anyway, told which)',
      'fail',
    )
    .option('--worktree <policy>', 'auto (remove after success) | keep | delete', 'auto')
    .option('--max-attempts <n>', 'tries in all when the infrastructure fails (1-10, default 3)')
    .option('--max-budget-usd <usd>', 'stop the agent past this cost');
}

taskSpecOptions(
  program
    .command('delegate')
    .description('queue a task for an agent; prints its id (or waits for it with --wait)')
    .argument('<prompt>', 'what the agent should do'),
)
  .option('--dry-run', 'run the agent, then only report what would be committed and merged')
  .option(
    '--continue-from <taskId>',
    'build on this task: start from its branch, given its result (waits for it)',
  )
  .option('--wait', 'follow the task until it ends; exit 1 when it failed')
  .option('--json', 'print JSON')
  .action(
    withClient((client, prompt: string, flags: Record<string, unknown>) =>
      delegateCommand(client, prompt, flags),
    ),
  );

taskSpecOptions(
  program
    .command('pipeline')
    .description(
      'a chain of tasks, each continuing from the one before (its branch and its result); prints their ids',
    )
    .argument('<prompt>', 'what the first step should do')
    .option('--then <prompt>', 'the next step, continuing from the one before; repeatable', collect),
)
  .option('--wait', 'follow the steps until the last one ends; exit 1 when any failed')
  .option('--json', 'print JSON')
  .action(
    withClient((client, prompt: string, flags: PipelineFlags) => pipelineCommand(client, prompt, flags)),
  );

const schedule = program
  .command('schedule')
  .description('tasks that run on a cron, at a fixed interval, or once at a given time');

taskSpecOptions(
  schedule
    .command('create')
    .description('schedule a task; prints the schedule id, and its next runs in its time zone')
    .argument('<prompt>', 'what each run should do')
    .option(
      '--cron <expression>',
      'a cron expression: 5 fields (minute hour day month weekday) or 6 (leading seconds)',
    )
    .option('--tz <zone>', 'the IANA time zone of --cron, and of the times shown (default UTC)')
    .option('--every <duration>', 'a fixed interval instead, e.g. 30m, 1h, 1d (at least 1s)')
    .option('--at <time>', 'once, at this ISO 8601 time, e.g. 2026-12-01T09:00:00Z')
    .option('--max-runs <n>', 'stop after this many runs')
    .option('--expires-at <time>', 'no run after this ISO 8601 time')
    .option('--missed <policy>', 'runs missed while the cluster was down: skip | catchup | fail', 'skip')
    .option(
      '--catchup-limit <n>',
      'with --missed catchup: how many missed runs to queue at most (default 10)',
    )
    .option(
      '--concurrency <policy>',
      'when the previous run is still active: skip | queue (after it) | allow',
      'skip',
    )
    .option('--after-schedule <id>', 'each run waits for the latest run of this schedule'),
)
  .option('--json', 'print JSON')
  .action(
    withClient((client, prompt: string, flags: ScheduleCreateFlags) =>
      scheduleCreateCommand(client, prompt, flags),
    ),
  );

schedule
  .command('list')
  .description('the schedules, newest first: id, state, timing, runs, next run')
  .option('--state <state>', 'only schedules in this state; repeatable', collect)
  .option('--limit <n>', 'how many schedules', '50')
  .option('--json', 'print JSON')
  .action(withClient((client, flags: ScheduleListFlags) => scheduleListCommand(client, flags)));

schedule
  .command('get')
  .description('one schedule: its timing, policies, next runs and history')
  .argument('<scheduleId>')
  .option('--json', 'print JSON')
  .action(
    withClient((client, scheduleId: string, flags: { json?: boolean }) =>
      scheduleGetCommand(client, scheduleId, flags),
    ),
  );

for (const [change, description] of [
  ['pause', 'stop firing a schedule; it keeps its runs and history'],
  ['resume', 'fire a paused schedule again (what it missed meanwhile only with --missed catchup)'],
  ['cancel', 'end a schedule for good'],
] as const) {
  schedule
    .command(change)
    .description(description)
    .argument('<scheduleId>')
    .option('--json', 'print JSON')
    .action(
      withClient((client, scheduleId: string, flags: { json?: boolean }) =>
        scheduleChangeCommand(client, change, scheduleId, flags),
      ),
    );
}

program
  .command('status')
  .description('one task in detail, or the latest tasks')
  .argument('[taskId]')
  .option('--state <state>', 'only tasks in this state; repeatable', collect)
  .option('--limit <n>', 'how many tasks', '50')
  .option('--tenant <name>', "admin tokens: only this tenant's tasks")
  .option(
    '--graph',
    'with a task id: draw its dependencies and its dependents, recursively (at most 200 tasks)',
  )
  .option('--json', 'print JSON')
  .action(
    withClient(
      (
        client,
        taskId: string | undefined,
        flags: { json?: boolean; state?: string[]; limit?: string; graph?: boolean; tenant?: string },
      ) => statusCommand(client, taskId, flags),
    ),
  );

program
  .command('depend')
  .description('make a blocked task also wait for other tasks; prints its dependencies')
  .argument('<taskId>', 'the task that waits (still blocked)')
  .requiredOption('--on <taskId>', 'a task it must wait for; repeatable', collect)
  .option('--json', 'print JSON')
  .action(withClient((client, taskId: string, flags: DependFlags) => dependCommand(client, taskId, flags)));

program
  .command('logs')
  .description("a task's transcript")
  .argument('<taskId>')
  .option('-f, --follow', 'keep streaming until the task ends')
  .option('--tail <n>', 'start with the last n events (1 to 10000)')
  .option(
    '--since <when>',
    'only events since a time: a duration back from now (10m, 2h) or an ISO 8601 time',
  )
  .option('--json', 'raw events, one JSON object per line')
  .action(withClient((client, taskId: string, flags: LogsFlags) => logsCommand(client, taskId, flags)));

program
  .command('cancel')
  .description('cancel a queued or running task')
  .argument('<taskId>')
  .option('--reason <text>', 'why, recorded on the task')
  .option('--json', 'print JSON')
  .action(
    withClient((client, taskId: string, flags: { reason?: string; json?: boolean }) =>
      cancelCommand(client, taskId, flags),
    ),
  );

program
  .command('retry')
  .alias('retry-task')
  .description('a new task with the same spec as a finished one')
  .argument('<taskId>')
  .option('--json', 'print JSON')
  .action(
    withClient((client, taskId: string, flags: { json?: boolean }) => retryCommand(client, taskId, flags)),
  );

program
  .command('resume')
  .description('continue a finished task: its Claude session where it can, else a new one given its context')
  .argument('<taskId>')
  .option('--context <text>', 'what the agent should do now, or know')
  .option('--json', 'print JSON')
  .action(
    withClient((client, taskId: string, flags: { context?: string; json?: boolean }) =>
      resumeCommand(client, taskId, flags),
    ),
  );

program
  .command('patch')
  .description(
    "a task's patch (git format-patch), for merge strategy patch or the backup before an auto merge",
  )
  .argument('<taskId>')
  .option('-o, --output <file>', 'write it to this file instead of stdout')
  .action(
    withClient((client, taskId: string, flags: { output?: string }) => patchCommand(client, taskId, flags)),
  );

const workers = program
  .command('workers')
  .description(
    'the workers: state (running, draining, paused, dead), tasks running / allowed now (max), load, free memory, labels',
  )
  .option('--json', 'print JSON')
  .action(withClient((client, flags: { json?: boolean }) => workersCommand(client, flags)));

workers
  .command('drain')
  .description('stop a worker taking new tasks (its running tasks go on); --undo takes it back')
  .argument('<workerId>')
  .option('--undo', 'let the worker take new tasks again')
  .option('--json', 'print JSON')
  .action(
    withClient((client, workerId: string, flags: { undo?: boolean; json?: boolean }) =>
      workersDrainCommand(client, workerId, flags),
    ),
  );

const worktrees = program
  .command('worktrees')
  .description('the worktrees kept on the workers (failed, cancelled or --worktree keep tasks)');

worktrees
  .command('list')
  .description('the kept worktrees of the live workers: task, branch, size, age, in use, path')
  .option('--worker <id>', 'only this worker')
  .option('--json', 'print JSON')
  .action(withClient((client, flags: WorktreesListFlags) => worktreesListCommand(client, flags)));

worktrees
  .command('gc')
  .description('remove kept worktrees now (never one in use; the branches stay)')
  .option('--worker <id>', 'only this worker (default: every live worker)')
  .option(
    '--max-age <duration>',
    "remove those unchanged for longer than this, e.g. 12h, 3d (default: each worker's own)",
  )
  .option('--max-count <n>', "keep at most this many per worker, the newest (default: each worker's own)")
  .option(
    '--max-size <size>',
    "keep at most this much per worker, e.g. 500M, 5G (default: each worker's own)",
  )
  .option('--dry-run', 'only report what would be removed')
  .option('--json', 'print JSON')
  .action(withClient((client, flags: WorktreesGcFlags) => worktreesGcCommand(client, flags)));

program
  .command('audit')
  .description('the audit trail of mutating calls, newest first: when, who, what, outcome, from where')
  .option(
    '--since <when>',
    'only entries since a time: a duration back from now (1h, 2d) or an ISO 8601 time',
  )
  .option('--limit <n>', 'how many entries (1 to 1000)', '100')
  .option('--tenant <name>', "admin tokens: only this tenant's entries")
  .option('--json', 'print JSON')
  .action(withClient((client, flags: AuditFlags) => auditCommand(client, flags)));

program
  .command('mcp')
  .description(
    'a stdio MCP server for Claude Code and Claude Desktop (`claude mcp add claudine -- npx claudine mcp`): the Claudine tools, forwarded to the coordinator; exits when stdin closes',
  )
  .action(async () => {
    const address =
      (program.opts().address as string | undefined) ?? process.env.CLAUDINE_ADDRESS ?? DEFAULT_ADDRESS;
    const connect = connectOptions();
    try {
      const gateway = await runMcpGateway({
        address,
        token: connect.token,
        tls: {
          caFile: connect.tlsCaFile,
          certFile: connect.tlsCertFile,
          keyFile: connect.tlsKeyFile,
          serverName: connect.tlsServerName,
        },
        cwd: process.cwd(),
      });
      await gateway.closed;
    } catch (error) {
      fail(error);
    }
  });

program.parseAsync(process.argv).catch(fail);
