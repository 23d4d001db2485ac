import { readFileSync } from 'node:fs';
import path from 'node:path';
import { METRICS_REFERENCE_MARKERS, renderServicesMetricsReference } from './metrics-reference';

const DOC = path.resolve(__dirname, '../../../docs/operations.md');

/** The text without Prettier's table padding (the docs are formatted; Prettier cannot run under Jest here). */
function normalized(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => line.replace(/-{3,}/g, '---').replace(/ +/g, ' ').trim())
    .filter((line) => line !== '');
}

describe('the metrics reference in docs/operations.md', () => {
  it('is the one the services register (npm run docs -w claudine writes it)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(METRICS_REFERENCE_MARKERS.begin);
    const end = doc.indexOf(METRICS_REFERENCE_MARKERS.end);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(normalized(doc.slice(start + METRICS_REFERENCE_MARKERS.begin.length, end))).toEqual(
      normalized(renderServicesMetricsReference()),
    );
  });

  it('names every metric the dashboard and alerts rely on', () => {
    const reference = renderServicesMetricsReference();
    for (const name of [
      'claudine_tasks',
      'claudine_delegations_total',
      'claudine_queue_depth',
      'claudine_tasks_blocked',
      'claudine_workers',
      'claudine_schedule_fire_lateness_seconds',
      'claudine_redis_rtt_seconds',
      'claudine_task_duration_seconds',
      'claudine_task_queue_wait_seconds',
      'claudine_agent_cost_usd_total',
      'claudine_agent_tokens_total',
      'claudine_agent_exits_total',
      'claudine_task_retries_total',
      'claudine_task_failovers_total',
      'claudine_worker_fenced_total',
    ])
      expect(reference).toContain(`| \`${name}\` |`);
  });
});
