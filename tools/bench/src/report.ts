import type { AdmissionThroughputResult } from './admission-throughput';
import type { DelegationLatencyResult } from './delegation-latency';
import type { Summary } from './stats';
import { errorRow, formatMs, formatRate, formatRatio, renderTable, verdict, type ResultRow } from './table';
import type { WholePathResult } from './whole-path';

/** What the bench promises; a miss is reported, never hidden or turned into a crash. */
export const TARGETS = {
  delegationP99Ms: 50,
  admissionRatio: 0.5,
  wholePathWallMs: 5_000,
  /** Not measured here: the figure the original Claudine took for the same 20 tasks. */
  originalWholePathMs: 200_000,
} as const;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

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

export function latencySection(outcome: Outcome<DelegationLatencyResult>, count: number, capacity: number): Section {
  const target = `p99 < ${TARGETS.delegationP99Ms} ms`;
  const notes = [
    `delegation latency: ${count} tasks, one in flight (next Delegate once the previous agent started), worker capacity ${capacity}, trivial shell agent; ` +
      `baseline: same BullMQ job via queue.add() to a BullMQ Worker (concurrency ${capacity}), add() start to processor start, same pacing.`,
  ];
  if (!outcome.ok) return { rows: [errorRow(LATENCY_METRIC, target, outcome.error)], notes: [...notes, `delegation latency error: ${outcome.error}`], details: [] };
  const { claudine, raw, stages, agentStartSource, failed, completed } = outcome.value;
  const row = (label: keyof Summary, withTarget: boolean): ResultRow => ({
    metric: `${LATENCY_METRIC} ${label}`,
    claudine: formatMs(claudine[label]),
    baseline: formatMs(raw[label]),
    ratio: formatRatio(claudine[label] / raw[label]),
    target: withTarget ? `< ${TARGETS.delegationP99Ms} ms` : '-',
    verdict: withTarget ? verdict(claudine[label] < TARGETS.delegationP99Ms) : 'info',
  });
  if (agentStartSource === 'redis') {
    notes.push(
      'agentStartedAtMs is not returned by ClusterClient.get (the gRPC Attempt message has no such field); read from the task record in Redis instead.',
    );
  }
  notes.push(`delegation latency tasks: ${completed} completed, ${failed.length} not completed.`);
  for (const failure of failed.slice(0, 5)) notes.push(`  ${failure.taskId}: ${failure.error}`);
  const details = [
    'Where the delegation latency goes (Claudine, per task, from the services\' own timestamps):\n' +
      renderTable(
        ['stage', 'p50', 'p95', 'p99', 'max'],
        stages.map(({ stage, summary }) => [stage, formatMs(summary.p50), formatMs(summary.p95), formatMs(summary.p99), formatMs(summary.max)]),
      ),
  ];
  return { rows: [row('p50', false), row('p95', false), row('p99', true), row('max', false)], notes, details };
}

export function admissionSection(outcome: Outcome<AdmissionThroughputResult>, count: number, concurrency: number): Section {
  const target = `>= ${TARGETS.admissionRatio}x raw`;
  const metric = `${ADMISSION_METRIC} (${count}, ${concurrency} in flight)`;
  const notes = [
    `admission throughput: ${count} Delegate calls from one gRPC client, ${concurrency} in flight, no worker (tasks stay queued); ` +
      `baseline: queue.add() of the same job, same concurrency, same Redis.`,
  ];
  if (!outcome.ok) return { rows: [errorRow(metric, target, outcome.error)], notes: [...notes, `admission throughput error: ${outcome.error}`], details: [] };
  const { claudine, raw } = outcome.value;
  const ratio = claudine.perSecond / raw.perSecond;
  return {
    rows: [
      { metric, claudine: formatRate(claudine.perSecond), baseline: formatRate(raw.perSecond), ratio: formatRatio(ratio), target, verdict: verdict(ratio >= TARGETS.admissionRatio) },
      {
        metric: 'call latency under that load p50',
        claudine: formatMs(claudine.callLatency.p50),
        baseline: formatMs(raw.callLatency.p50),
        ratio: formatRatio(claudine.callLatency.p50 / raw.callLatency.p50),
        target: '-',
        verdict: 'info',
      },
      {
        metric: 'call latency under that load p99',
        claudine: formatMs(claudine.callLatency.p99),
        baseline: formatMs(raw.callLatency.p99),
        ratio: formatRatio(claudine.callLatency.p99 / raw.callLatency.p99),
        target: '-',
        verdict: 'info',
      },
    ],
    notes,
    details: [],
  };
}

export function wholePathSection(outcome: Outcome<WholePathResult>, tasks: number, workers: number, capacity: number): Section {
  const target = `< ${TARGETS.wholePathWallMs / 1000} s`;
  const metric = `${WHOLE_PATH_METRIC} (${tasks} tasks, real CLI)`;
  const reference = `${TARGETS.originalWholePathMs / 1000} s (orig.)`;
  const notes = [
    `whole path: claudine up (${workers} workers x capacity ${capacity}, child processes), ${tasks} tasks delegated at once, ` +
      `real Claude Code CLI against a loopback scripted Messages API that answers at once.`,
    `reference: the original Claudine needed ${TARGETS.originalWholePathMs / 1000} s here (not measured in this run; shown as the baseline).`,
  ];
  if (!outcome.ok) {
    return { rows: [{ ...errorRow(metric, target, outcome.error), baseline: reference }], notes: [...notes, `whole path error: ${outcome.error}`], details: [] };
  }
  const result = outcome.value;
  notes.push(
    `whole path agent: ${result.agentCommand} (Claude Code ${result.claudeCodeVersion}); ${result.completed}/${tasks} completed; ` +
      `${result.apiRequests} Messages API requests answered.`,
  );
  for (const failure of result.failed.slice(0, 5)) notes.push(`  ${failure.taskId}: ${failure.error}`);
  const info = (label: string, value: string): ResultRow => ({ metric: label, claudine: value, baseline: '-', ratio: '-', target: '-', verdict: 'info' });
  const allCompleted = result.completed === tasks;
  return {
    rows: [
      {
        metric,
        claudine: formatMs(result.wallMs),
        baseline: reference,
        ratio: formatRatio(result.wallMs / TARGETS.originalWholePathMs),
        target,
        // A fast run that lost tasks is not a success.
        verdict: verdict(allCompleted && result.wallMs < TARGETS.wholePathWallMs),
      },
      info('whole path tasks completed', `${result.completed}/${tasks}`),
      info('whole path peak concurrency', String(result.peakConcurrency)),
      info('whole path queue wait p50', formatMs(result.queueWait.p50)),
      info('whole path queue wait max', formatMs(result.queueWait.max)),
      info('whole path claim to agent start p50', formatMs(result.preparation.p50)),
      info('whole path agent run + commit p50', formatMs(result.agentRun.p50)),
      info('whole path agent run + commit max', formatMs(result.agentRun.max)),
    ],
    notes,
    details: [],
  };
}
