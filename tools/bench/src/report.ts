import type { ScheduleLatenessResult } from './schedule-lateness';
import type { AdmissionThroughputResult } from './admission-throughput';
import type { CancelLatencyResult } from './cancel-latency';
import type { DelegationLatencyResult } from './delegation-latency';
import {
  CREATE_IN_FLIGHT,
  ISSUE_DAG_TASKS,
  type DependencyBenchConfig,
  type DependencyBenchResult,
} from './dependencies';
import type { Outcome } from './outcome';
import { summarize, type Summary } from './stats';
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
  /** Last dependency ended to the dependent's job added, at each shape. */
  dependencyReleaseP99Ms: 20,
  /** Releasing a 1 → 1,000 fan-out, against one query per edge: at least this many times faster. */
  fanOutReleaseVsNaive: 10,
  /** TaskGraph.create of a task with 100 dependencies in a graph of 100,000 tasks. */
  addTaskWithDependenciesP99Ms: 10,
  /** A schedule's run queued within this of its fire time. */
  scheduleLatenessP99Ms: 1_000,
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

export function scheduleSection(
  outcome: Outcome<ScheduleLatenessResult>,
  config: { schedules: number; firesEach: number; everyMs: number; coordinators: number },
): Section {
  const target = `< ${TARGETS.scheduleLatenessP99Ms} ms`;
  const notes = [
    `schedule lateness: ${config.schedules} schedules firing every ${config.everyMs} ms, ${config.firesEach} runs each, on ${config.coordinators} coordinators (each a firer); ` +
      "a run's lateness is its task queued minus its fire time (the schedule's history). " +
      'baseline: BullMQ job schedulers (`every`, same count and interval) on as many BullMQ workers, from the scheduled time to the processor starting (no task written).',
  ];
  if (!outcome.ok) {
    return {
      rows: [errorRow('schedule fire lateness p99', target, outcome.error)],
      notes: [...notes, `schedule lateness error: ${outcome.error}`],
      details: [],
    };
  }
  const { claudine, bullmq, fires, duplicates } = outcome.value;
  notes.push(`schedule lateness: ${fires} fires measured; fire times handled twice: ${duplicates}.`);
  const row = (label: 'p50' | 'p99' | 'max', withTarget: boolean): ResultRow => ({
    metric: `schedule fire lateness ${label} (${fires} fires, ${config.coordinators} coordinators)`,
    claudine: formatMs(claudine[label]),
    baseline: formatMs(bullmq[label]),
    ratio: formatRatio(claudine[label] / Math.max(bullmq[label], 0.001)),
    target: withTarget ? target : '-',
    verdict: withTarget
      ? verdict(claudine[label] < TARGETS.scheduleLatenessP99Ms && duplicates === 0)
      : 'info',
  });
  return { rows: [row('p50', false), row('p99', true), row('max', false)], notes, details: [] };
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

/** formatRatio, with a figure that survives ratios far below 0.01. */
function formatSmallRatio(ratio: number): string {
  return ratio > 0 && ratio < 0.01 ? `${ratio.toPrecision(1)}x` : formatRatio(ratio);
}

export function dependenciesSection(
  outcome: Outcome<DependencyBenchResult>,
  config: DependencyBenchConfig,
): Section {
  const { graph: g, fanOutRelease: f, shapes: sh } = config;
  const releaseTarget = `< ${TARGETS.dependencyReleaseP99Ms} ms`;
  const addTarget = `< ${TARGETS.addTaskWithDependenciesP99Ms} ms`;
  const fanOutTarget = `<= ${formatRatio(1 / TARGETS.fanOutReleaseVsNaive)} (${TARGETS.fanOutReleaseVsNaive}x faster)`;
  const fanOutMetric = `fan-out 1 → ${f.fanOut.toLocaleString('en-US')} release, all jobs added (median of ${f.rounds})`;
  const graphSize = `${g.tasks.toLocaleString('en-US')}-task graph`;
  const addMetric = `add a task with ${g.dependencies} deps (${graphSize}) p99`;
  const notes = [
    "dependencies: release time = from the end of a dependent's last dependency (its endedAt, written by the script that ends it) " +
      "to the dependent's BullMQ job being added (the Redis time of BullMQ's `added` event, written by the script that stores the job). " +
      "Tasks are written straight into Redis (TaskStore.create, TaskGraph.create: no gRPC, no repository check); the coordinator's own releaser queues the dependents.",
  ];
  if (!outcome.ok) {
    return {
      rows: [
        errorRow(`dependency release p99`, releaseTarget, outcome.error),
        errorRow(fanOutMetric, fanOutTarget, outcome.error),
        errorRow(addMetric, addTarget, outcome.error),
      ],
      notes: [...notes, `dependencies error: ${outcome.error}`],
      details: [],
    };
  }
  const { graph, fanOutRelease, shapes } = outcome.value;
  const rows: ResultRow[] = [];
  const details: string[] = [];
  const info = (metric: string, claudine: string, baseline = '-', ratio = '-'): ResultRow => ({
    metric,
    claudine,
    baseline,
    ratio,
    target: '-',
    verdict: 'info',
  });

  // End to end, by shape.
  if (shapes.ok) {
    const r = shapes.value;
    const shapeLabel: Record<string, string> = {
      chains: `chains ${sh.chains}x${sh.chainLength}`,
      'fan-out': `fan-out 1 → ${sh.fanOut.toLocaleString('en-US')}`,
      'fan-in': `fan-in ${sh.fanIn.toLocaleString('en-US')} → 1`,
    };
    for (const shape of r.shapes) {
      const label = shapeLabel[shape.shape] ?? shape.shape;
      rows.push(info(`dependency release p50, ${label}`, formatMs(shape.latency.p50)));
      rows.push({
        metric: `dependency release p99, ${label}`,
        claudine: formatMs(shape.latency.p99),
        baseline: '-',
        ratio: '-',
        target: releaseTarget,
        verdict: verdict(shape.latency.p99 < TARGETS.dependencyReleaseP99Ms && shape.missing === 0),
      });
    }
    const dag = r.withDependencies;
    const plain = r.withoutDependencies;
    rows.push(
      info(
        `DAG wall time (${dag.tasks.toLocaleString('en-US')} tasks, ${r.workers} workers) vs no deps`,
        formatMs(dag.wallMs),
        formatMs(plain.wallMs),
        formatRatio(r.overhead),
      ),
    );
    details.push(
      `Dependency release by shape, end to end (${r.workers} in-process workers x capacity ${r.workerCapacity}, trivial shell agent): ` +
        "last dependency's end to the dependent's job added\n" +
        renderTable(
          ['shape', 'tasks', 'dependents', 'p50', 'p95', 'p99', 'max', 'missing'],
          r.shapes.map((shape) => [
            shapeLabel[shape.shape] ?? shape.shape,
            shape.tasks.toLocaleString('en-US'),
            String(shape.dependents),
            formatMs(shape.latency.p50),
            formatMs(shape.latency.p95),
            formatMs(shape.latency.p99),
            formatMs(shape.latency.max),
            String(shape.missing),
          ]),
        ),
    );
    const perSecond = (run: typeof plain) => (run.tasks / run.wallMs) * 1000;
    notes.push(
      `dependencies, overhead: the DAG (${dag.tasks.toLocaleString('en-US')} tasks: ${dag.completed} completed, ${dag.retried} retried) took ${formatMs(dag.wallMs)}, ` +
        `the same number of tasks without dependencies ${formatMs(plain.wallMs)} (${plain.completed} completed) on the same ${r.workers} workers: ${formatRatio(r.overhead)}; ` +
        'each from its first attempt started to its last task ended, the workers started once every task was written. ' +
        `Slots kept busy: ${(dag.utilisation * 100).toFixed(0)}% with dependencies, ${(plain.utilisation * 100).toFixed(0)}% without; ` +
        `mean task time ${formatMs(dag.busyMs / dag.tasks)} and ${formatMs(plain.busyMs / plain.tasks)}. ` +
        'Slots kept busy tell idle workers (waiting for a release, or for a shape: a chain runs one step at a time, a sink waits for all its leaves) ' +
        "from slower tasks (a busier machine: the coordinator's releaser shares the cores with the workers).",
    );
    if (r.fanInGroup < sh.fanIn) {
      notes.push(
        `dependencies, fan-in: a task may have at most ${r.fanInGroup} dependencies (TASK_LIMITS.maxDependencies), so the ${sh.fanIn.toLocaleString('en-US')} leaves meet in ` +
          `${Math.ceil(sh.fanIn / r.fanInGroup)} tasks of up to ${r.fanInGroup} each, and those in the sink; every one of them is a measured dependent.`,
      );
    }
    const wanted = ISSUE_DAG_TASKS;
    if (dag.tasks < wanted) {
      const rate = perSecond(plain);
      notes.push(
        `dependencies, scaled down: the issue asks for a DAG of ${wanted.toLocaleString('en-US')} tasks (chains, a 1 → 1,000 fan-out, a 1,000 → 1 fan-in); ` +
          `the ${r.workers} workers run ${rate.toFixed(1)} trivial tasks/s here (git worktree, agent process, commit for each), so ${wanted.toLocaleString('en-US')} tasks ` +
          `with and again without dependencies would take about ${formatMs((2 * wanted * 1000) / rate)}. This run: ${dag.tasks.toLocaleString('en-US')} tasks ` +
          `(chains ${sh.chains}x${sh.chainLength}, fan-out 1 → ${sh.fanOut}, fan-in ${sh.fanIn} → 1; CONFIG.dependencies.shapes in main.ts). ` +
          `The 1 → ${fanOutRelease.ok ? fanOutRelease.value.fanOut.toLocaleString('en-US') : f.fanOut.toLocaleString('en-US')} fan-out against the naive releaser is measured at full size below, without workers.`,
      );
    }
    notes.push(
      `dependencies: event loop delay of the process hosting coordinator, workers and bench during the DAG run: p50 ${formatMs(r.eventLoopDelay.p50)}, ` +
        `p99 ${formatMs(r.eventLoopDelay.p99)}, max ${formatMs(r.eventLoopDelay.max)}.`,
    );
    for (const failure of [...dag.notCompleted, ...plain.notCompleted].slice(0, 5))
      notes.push(`  dependencies task not completed: ${failure.taskId}: ${failure.error}`);
  } else {
    rows.push(errorRow('dependency release p99 (end to end)', releaseTarget, shapes.error));
    notes.push(`dependencies, release by shape error: ${shapes.error}`);
  }

  // A fan-out's release against the naive releaser.
  if (fanOutRelease.ok) {
    const r = fanOutRelease.value;
    const claudineTotal = summarize(r.claudine.totalMs).p50;
    const naiveTotal = summarize(r.naive.totalMs).p50;
    rows.push({
      metric: fanOutMetric,
      claudine: formatMs(claudineTotal),
      baseline: formatMs(naiveTotal),
      ratio: formatRatio(claudineTotal / naiveTotal),
      target: fanOutTarget,
      verdict: verdict(r.speedup >= TARGETS.fanOutReleaseVsNaive),
    });
    rows.push(
      info(
        `fan-out 1 → ${r.fanOut.toLocaleString('en-US')} release per dependent p99`,
        formatMs(r.claudine.perDependent.p99),
        formatMs(r.naive.perDependent.p99),
        formatRatio(r.claudine.perDependent.p99 / r.naive.perDependent.p99),
      ),
    );
    const floor = summarize(r.bullmqAddBulkMs).p50;
    rows.push(
      info(
        `fan-out 1 → ${r.fanOut.toLocaleString('en-US')}: BullMQ alone adding the ${r.fanOut.toLocaleString('en-US')} jobs (floor)`,
        formatMs(claudineTotal),
        formatMs(floor),
        formatRatio(claudineTotal / floor),
      ),
    );
    const ms = (values: number[]) => values.map((v) => formatMs(v)).join(', ');
    details.push(
      `Fan-out 1 → ${r.fanOut.toLocaleString('en-US')}, no workers, ${r.rounds} rounds (per round; from the root's end):\n` +
        renderTable(
          ['', 'root-ending call', 'first job added', 'last job added', 'per dependent p50', 'p99'],
          [
            [
              'Claudine (Lua resolve + releaser)',
              ms(r.claudine.finishMs),
              ms(r.claudine.firstMs),
              ms(r.claudine.totalMs),
              formatMs(r.claudine.perDependent.p50),
              formatMs(r.claudine.perDependent.p99),
            ],
            [
              'naive (one query per edge)',
              ms(r.naive.finishMs),
              ms(r.naive.firstMs),
              ms(r.naive.totalMs),
              formatMs(r.naive.perDependent.p50),
              formatMs(r.naive.perDependent.p99),
            ],
          ],
        ),
    );
    notes.push(
      `dependencies, fan-out: ${r.rounds} rounds after one not counted. Claudine = a coordinator (its releaser, woken by \`{p}:released\`) and no worker; the bench ends the root as a worker does ` +
        '(startAttempt, finishAttempt: the script resolves all edges and marks the dependents ready). Naive = the same tasks in another prefix; ' +
        "the root's state is written, then, in the same process and at once, for each dependent in turn: HGETALL of its deps, HGET of each dependency's state, " +
        'HGET of its spec, queue.add of the same job, HSET of its state (one round trip each, awaited). ' +
        `Speedup ${formatRatio(r.speedup)} (median totals). ` +
        `Floor: BullMQ's own \`addBulk\` of ${r.fanOut.toLocaleString('en-US')} jobs takes ${formatMs(floor)} here (median), so no release that gives each dependent its own BullMQ job can be faster; ` +
        'the naive releaser pays about the same per job plus its round trips, which caps the speedup well under 10x on this machine.',
    );
  } else {
    rows.push(errorRow(fanOutMetric, fanOutTarget, fanOutRelease.error));
    notes.push(`dependencies, fan-out release error: ${fanOutRelease.error}`);
  }

  // Adding to a large graph.
  if (graph.ok) {
    const r = graph.value;
    rows.push(
      info(
        `add a task with ${g.dependencies} deps (${graphSize}) p50`,
        formatMs(r.create.p50),
        formatMs(r.naive.totalMs),
        formatSmallRatio(r.create.p50 / r.naive.totalMs),
      ),
    );
    rows.push({
      metric: addMetric,
      claudine: formatMs(r.create.p99),
      baseline: formatMs(r.naive.totalMs),
      ratio: formatSmallRatio(r.create.p99 / r.naive.totalMs),
      target: addTarget,
      verdict: verdict(r.create.p99 < TARGETS.addTaskWithDependenciesP99Ms),
    });
    rows.push(
      info(
        `add ${g.dependencies - 1} deps to a blocked task, cycle check p50`,
        formatMs(r.addDependencies.p50),
        formatMs(r.naive.totalMs),
        formatSmallRatio(r.addDependencies.p50 / r.naive.totalMs),
      ),
    );
    rows.push(
      info(
        `add ${g.dependencies - 1} deps to a blocked task, cycle check p99`,
        formatMs(r.addDependencies.p99),
        formatMs(r.naive.totalMs),
        formatSmallRatio(r.addDependencies.p99 / r.naive.totalMs),
      ),
    );
    const refusals = Object.entries(r.addRefusals);
    notes.push(
      `dependencies, graph: ${r.tasks.toLocaleString('en-US')} tasks, ${r.edges.toLocaleString('en-US')} edges, in ${r.components.toLocaleString('en-US')} components of ${g.componentSize} ` +
        `(each task on 1 to ${g.maxEdgesPerTask} random earlier tasks of its component), the roots of ${r.completedRoots} components run to completion (mixed edge states); ` +
        `built with TaskGraph.create, ${CREATE_IN_FLIGHT} calls in flight, in ${formatMs(r.buildMs)}; Redis used ${(r.redisMemoryBytes / 2 ** 20).toFixed(0)} MiB then. ` +
        `Measured, ${r.create.count} each, one at a time: TaskGraph.create of a new task on ${g.dependencies} random tasks (outcomes: ${Object.entries(
          r.createOutcomes,
        )
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}); ` +
        `addDependencies of ${g.dependencies - 1} random tasks to a new blocked task that waits on one already (a task may have at most ${g.dependencies}): ` +
        `the incremental cycle check walks upstream from each new dependency` +
        `${refusals.length > 0 ? `; refused: ${refusals.map(([k, v]) => `${v} ${k}`).join(', ')}` : ''}.`,
    );
    notes.push(
      `dependencies, naive cycle check (the baseline of the add rows): every edge loaded, one HGETALL per task (${r.naive.queries.toLocaleString('en-US')} queries, pipelined 1,000 at a time), ` +
        `then a depth-first search of the whole graph: load ${formatMs(r.naive.loadMs)} + search ${formatMs(r.naive.dfsMs)} (median of ${r.naiveRounds.length}). ` +
        'Creating a task needs no cycle check at all (nothing can depend on a task not yet written), so the create rows compare against a check Claudine rightly skips.',
    );
  } else {
    rows.push(errorRow(addMetric, addTarget, graph.error));
    notes.push(`dependencies, graph error: ${graph.error}`);
  }
  return { rows, notes, details };
}
