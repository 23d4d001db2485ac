import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry per process, with the default process metrics (CPU, memory, event loop lag). */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
