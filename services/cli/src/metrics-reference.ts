import { describeCoordinatorMetrics } from '@claudine/coordinator';
import { renderMetricsReference } from '@claudine/observability';
import { describeWorkerMetrics } from '@claudine/worker';

export { METRICS_REFERENCE_MARKERS } from '@claudine/observability';

/**
 * The metrics reference of docs/operations.md, from the metrics a coordinator and a worker
 * register (built without Redis; nothing is read). `npm run docs -w claudine` writes it.
 */
export function renderServicesMetricsReference(): string {
  return renderMetricsReference([
    { service: 'coordinator', registry: describeCoordinatorMetrics() },
    { service: 'worker', registry: describeWorkerMetrics() },
  ]);
}
