import type { AdmissionThroughputResult } from './admission-throughput';
import type { CancelLatencyResult } from './cancel-latency';
import type { DelegationLatencyResult } from './delegation-latency';
import type { Outcome } from './outcome';
import type { Summary } from './stats';
import { errorRow, formatMs, formatRate, formatRatio, renderTable, verdict, type ResultRow } from './table';
import type { WholePathResult } from './whole-path';
import type { WorktreeCreationResult } from './worktree-creation';

/** What the bench promises; a miss is reported, never hidden or turned into a crash. */
export const TARGETS = {
  delegationP99Ms: 50,
  admissionRatio: 0.5,
  wholePathWallMs: 5_000,
  cancelP99Ms: 1_000,
  /** Not measured here: the figure the original Claudine took for the same 20 tasks. */
  originalWholePathMs: 200_000,
  /** The issue asks for worktree creation beside a full clone as a ratio, and sets no number to meet. */
  worktreeVsFullClone: 'ratio shown, no target',
} as const;

export interface Section {
  rows: ResultRow[];
  /** Lines printed under the table: method, caveats, failures in full. */
  notes: string[];
  /** Extra tables (for example where the latency goes). */
  details: string[];
}

const LATENCY_METRIC = 'delegation latency';
const ADMISSION_METRIC = 'admission throughput';
const WHOLE_PATH_METRIC = 'whole path wall time';

export function latencySection(
  outcome: Outcome<DelegationLatencyResult>,
  count: number,
  capacity: number,
): Section {
  const target = `p99 < ${TARGETS.delegationP99Ms} ms`;
  const notes = [
    `delegation latency: ${count} tasks, one in flight (next Delegate once the previous agent started), worker capacity ${capacity}, trivial shell agent; ` +
      `baseline: same BullMQ job via queue.add() to a BullMQ Worker (concurrency ${capacity}), add() start to processor start, same pacing.`,
  ];
  if (!outcome.ok) {
    return {
      rows: [errorRow(LATENCY_METRIC, target, outcome.error)],
      notes: [...notes, `delegation latency error: ${outcome.error}`],
      details: [],
    };
  }
  const {
    claudine,
    raw,
    stages,
    eventLoopDelay,
    agentStartReadFromRedis,
    withoutAgentStart,
    retried,
    failed,
    completed,
  } = outcome.value;
  const row = (label: keyof Summary, withTarget: boolean): ResultRow => ({
    metric: `${LATENCY_METRIC} ${label}`,
    claudine: formatMs(claudine[label]),
    baseline: formatMs(raw[label]),
    ratio: formatRatio(claudine[label] / raw[label]),
    target: withTarget ? `< ${TARGETS.delegationP99Ms} ms` : '-',
    verdict: withTarget ? verdict(claudine[label] < TARGETS.delegationP99Ms) : 'info',
  });
  if (agentStartReadFromRedis > 0) {
    notes.push(
      `ClusterClient.get returned no agentStartedAtMs for ${agentStartReadFromRedis} tasks (the gRPC Attempt message lacks it); read from the task records in Redis instead.`,
    );
  }
  notes.push(
    `event loop delay of the process hosting coordinator, worker and client while measuring: ` +
      `p50 ${formatMs(eventLoopDelay.p50)}, p99 ${formatMs(eventLoopDelay.p99)}, max ${formatMs(eventLoopDelay.max)}.`,
  );
  notes.push(
    `delegation latency tasks: ${completed} completed, ${failed.length} not completed, ${retried} retried, ${withoutAgentStart} without an agent start (left out).`,
  );
  for (const failure of failed.slice(0, 5)) notes.push(`  ${failure.taskId}: ${failure.error}`);
  const details =
    stages.length === 0
      ? []
      : [
          "Where the delegation latency goes (Claudine, per task, from the services' own timestamps):\n" +
            renderTable(
              ['stage', 'p50', 'p95', 'p99', 'max'],
              stages.map(({ stage, summary }) => [
                stage,
                formatMs(summary.p50),
                formatMs(summary.p95),
                formatMs(summary.p99),
                formatMs(summary.max),
              ]),
            ),
        ];
  return {
    rows: [row('p50', false), row('p95', false), row('p99', true), row('max', false)],
    notes,
    details,
  };
}

export function admissionSection(
  outcome: Outcome<AdmissionThroughputResult>,
  count: number,
  concurrency: number,
  rounds: number,
): Section {
  const target = `>= ${TARGETS.admissionRatio}x raw`;
  const metric = `${ADMISSION_METRIC} (${count}, ${concurrency} in flight)`;
  const notes = [
    `admission throughput: ${count} Delegate calls from one gRPC client in this process, ${concurrency} in flight, no worker (tasks stay queued), ` +
      `best of ${rounds} rounds; baseline: queue.add() of the same job (same options), same concurrency, same Redis, best of ${rounds}.`,
  ];
  if (!outcome.ok) {
    return {
      rows: [errorRow(metric, target, outcome.error)],
      notes: [...notes, `admission throughput error: ${outcome.error}`],
      details: [],
    };
  }
  const { claudine, withoutGrpc, raw } = outcome.value;
  const ratio = claudine.perSecond / raw.perSecond;
  const latencyRow = (label: 'p50' | 'p99'): ResultRow => ({
    metric: `Delegate call latency under load ${label}`,
    claudine: formatMs(claudine.callLatency[label]),
    baseline: formatMs(raw.callLatency[label]),
    ratio: formatRatio(claudine.callLatency[label] / raw.callLatency[label]),
    target: '-',
    verdict: 'info',
  });
  return {
    rows: [
      {
        metric,
        claudine: formatRate(claudine.perSecond),
        baseline: formatRate(raw.perSecond),
        ratio: formatRatio(ratio),
        target,
        verdict: verdict(ratio >= TARGETS.admissionRatio),
      },
      {
        metric: 'admission without gRPC (TaskService.delegate)',
        claudine: formatRate(withoutGrpc.perSecond),
        baseline: formatRate(raw.perSecond),
        ratio: formatRatio(withoutGrpc.perSecond / raw.perSecond),
        target: '-',
        verdict: 'info',
      },
      latencyRow('p50'),
      latencyRow('p99'),
    ],
    notes,
    details: [],
  };
}

export function wholePathSection(
  outcome: Outcome<WholePathResult>,
  tasks: number,
  workers: number,
  capacity: number,
): Section {
  const target = `< ${TARGETS.wholePathWallMs / 1000} s`;
  const metric = `${WHOLE_PATH_METRIC} (${tasks} tasks, real CLI)`;
  const notes = [
    `whole path: claudine up (${workers} workers x capacity ${capacity}, child processes), ${tasks} tasks delegated at once, ` +
      `real Claude Code CLI against a loopback scripted Messages API that answers at once; ` +
      `baseline: the same CLI, arguments and fixed environment spawned ${tasks} times at once without Claudine.`,
  ];
  const reference = (wallMs?: number): string =>
    `reference: the original Claudine needed ${TARGETS.originalWholePathMs / 1000} s here` +
    (wallMs === undefined
      ? '.'
      : `; this run ${formatMs(wallMs)} (${formatRatio(wallMs / TARGETS.originalWholePathMs)} of it).`);
  if (!outcome.ok) {
    return {
      rows: [errorRow(metric, target, outcome.error)],
      notes: [...notes, `whole path error: ${outcome.error}`, reference()],
      details: [],
    };
  }
  const { claudine, bareCli, agentCommand, claudeCodeVersion, apiRequests } = outcome.value;
  notes.push(
    `whole path agent: ${agentCommand} (Claude Code ${claudeCodeVersion}); ${apiRequests} Messages API requests answered in all.`,
  );
  const baseline = bareCli.ok ? formatMs(bareCli.value.concurrentWallMs) : 'error';
  if (!bareCli.ok) notes.push(`whole path baseline (bare CLI) error: ${bareCli.error}`);
  if (!claudine.ok) {
    return {
      rows: [{ ...errorRow(metric, target, claudine.error), baseline }],
      notes: [...notes, `whole path error: ${claudine.error}`, reference()],
      details: [],
    };
  }
  const result = claudine.value;
  notes.push(reference(result.wallMs));
  if (bareCli.ok && bareCli.value.concurrentWallMs >= TARGETS.wholePathWallMs) {
    notes.push(
      `the ${target} target is below the floor measured in this run: the same ${tasks} CLI runs without Claudine take ${formatMs(bareCli.value.concurrentWallMs)} ` +
        `(a single run by itself: ${formatMs(bareCli.value.singleRunMs)}).`,
    );
  }
  for (const failure of result.failed.slice(0, 5))
    notes.push(`whole path task not completed: ${failure.taskId}: ${failure.error}`);
  const info = (label: string, value: string, base = '-'): ResultRow => ({
    metric: label,
    claudine: value,
    baseline: base,
    ratio: '-',
    target: '-',
    verdict: 'info',
  });
  const allCompleted = result.completed === tasks;
  return {
    rows: [
      {
        metric,
        claudine: formatMs(result.wallMs),
        baseline,
        ratio: bareCli.ok ? formatRatio(result.wallMs / bareCli.value.concurrentWallMs) : '-',
        target,
        // A fast run that lost tasks is not a success.
        verdict: verdict(allCompleted && result.wallMs < TARGETS.wholePathWallMs),
      },
      info(
        'whole path tasks completed',
        `${result.completed}/${tasks}`,
        bareCli.ok ? `${tasks}/${tasks}` : '-',
      ),
      info('whole path retried attempts', String(result.retries)),
      info('whole path peak concurrency', String(result.peakConcurrency)),
      info('whole path queue wait p50', formatMs(result.queueWait.p50)),
      info('whole path queue wait max', formatMs(result.queueWait.max)),
      info('whole path claim to agent start p50', formatMs(result.preparation.p50)),
      info('whole path claim to agent start max', formatMs(result.preparation.max)),
      info('whole path agent run + commit p50', formatMs(result.agentRun.p50)),
      info('one CLI run alone (no Claudine)', '-', bareCli.ok ? formatMs(bareCli.value.singleRunMs) : '-'),
    ],
    notes,
    details: [],
  };
}

export function cancelSection(outcome: Outcome<CancelLatencyResult>, count: number): Section {
  const target = `< ${TARGETS.cancelP99Ms} ms`;
  const notes = [
    `cancel latency: ${count} running tasks (an agent that waits on a grandchild sleep), each cancelled through gRPC; from the Cancel call to every process of the agent gone. ` +
      'baseline: the same process tree spawned and stopped directly by the bench (SIGTERM to its process group).',
  ];
  if (!outcome.ok) {
    return {
      rows: [errorRow('cancel latency', target, outcome.error)],
      notes: [...notes, `cancel latency error: ${outcome.error}`],
      details: [],
    };
  }
  const { claudine, direct, recordedCancelled } = outcome.value;
  notes.push(`cancel latency: ${recordedCancelled} of ${count} tasks recorded as cancelled.`);
  const row = (label: 'p50' | 'p99', withTarget: boolean): ResultRow => ({
    metric: `cancel latency ${label}`,
    claudine: formatMs(claudine[label]),
    baseline: formatMs(direct[label]),
    ratio: formatRatio(claudine[label] / direct[label]),
    target: withTarget ? target : '-',
    verdict: withTarget
      ? verdict(claudine[label] < TARGETS.cancelP99Ms && recordedCancelled === count)
      : 'info',
  });
  return { rows: [row('p50', false), row('p99', true)], notes, details: [] };
}

function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function worktreeSection(outcome: Outcome<WorktreeCreationResult>, files: number): Section {
  const target = TARGETS.worktreeVsFullClone;
  const metric = `worktree creation p50 (${files.toLocaleString('en-US')} files)`;
  const notes = [
    `worktree creation: a repository of ${files.toLocaleString('en-US')} small files in one commit; Claudine: ` +
      '`git worktree add --quiet --force -B claudine/<task> <path> <commit>` in it, the command the worker runs for a task on a local repository; ' +
      'baseline: `git clone --no-local` of it (every object copied, then the same checkout). Also shown: a plain local `git clone` (objects hardlinked). ' +
      'The three take turns in each round; removing a checkout is not timed; git runs without user or system config.',
  ];
  if (!outcome.ok) {
    return {
      rows: [errorRow(metric, target, outcome.error)],
      notes: [...notes, `worktree creation error: ${outcome.error}`],
      details: [],
    };
  }
  const result = outcome.value;
  const method = (label: string, summary: Summary): string[] => [
    label,
    formatMs(summary.p50),
    formatMs(summary.mean),
    formatMs(summary.min),
    formatRatio(summary.p50 / result.fullClone.p50),
  ];
  const details = [
    `Worktree creation, ${result.files.toLocaleString('en-US')} files in ${result.directories} directories, one commit ` +
      `(.git objects ${formatMB(result.objectsBytes)} on disk, ${formatMB(result.contentBytes)} of file content; ` +
      `built in ${formatMs(result.buildMs)} with git fast-import, not measured), git ${result.gitVersion}, ` +
      `${result.rounds} rounds after a warmup:
` +
      renderTable(
        ['method', 'p50', 'mean', 'min', 'p50 vs full clone'],
        [
          method('git worktree add (Claudine)', result.worktree),
          method('git clone --no-local (full clone)', result.fullClone),
          method('git clone (local, hardlinks)', result.localClone),
        ],
      ),
  ];
  notes.push(
    `worktree creation: worktree / full clone ${formatRatio(result.ratioToFullClone)}, worktree / local clone ${formatRatio(result.ratioToLocalClone)} (p50s). ` +
      `All three write the same ${result.files.toLocaleString('en-US')} files; what a clone adds is copying the objects, only ${formatMB(result.objectsBytes)} ` +
      'in this one-commit repository, so a repository with history makes the full clone dearer and leaves the worktree as it is.',
  );
  return {
    rows: [
      {
        metric,
        claudine: formatMs(result.worktree.p50),
        baseline: formatMs(result.fullClone.p50),
        ratio: formatRatio(result.ratioToFullClone),
        target,
        verdict: 'info',
      },
    ],
    notes,
    details,
  };
}
