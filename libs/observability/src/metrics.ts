import { collectDefaultMetrics, Histogram, Registry, type MetricType } from 'prom-client';

/** A registry per process, with the default process metrics (CPU, memory, event loop lag). */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** `claudine_redis_rtt_seconds`: what `startRedisRttProbe` observes; every service has one. */
export function createRedisRttHistogram(registry: Registry): Histogram {
  return new Histogram({
    name: 'claudine_redis_rtt_seconds',
    help: 'Round-trip time of a Redis PING sent every few seconds. A PING that fails or takes longer than the interval is not observed: a count that stops growing means Redis is unreachable.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
}

export interface RedisRttProbeOptions {
  ping: () => Promise<unknown>;
  histogram: Histogram;
  /** @default 5000 */
  intervalMs?: number;
}

/**
 * PINGs Redis every `intervalMs` and observes the round trip. The timer does not keep the
 * process alive; `stop()` ends it. One PING at a time: a slow one delays the next.
 */
export function startRedisRttProbe({ ping, histogram, intervalMs = 5000 }: RedisRttProbeOptions): {
  stop(): void;
} {
  let inFlight = false;
  const probe = (): void => {
    if (inFlight) return;
    inFlight = true;
    const stopTimer = histogram.startTimer();
    ping().then(
      () => {
        inFlight = false;
        stopTimer();
      },
      () => {
        inFlight = false;
      },
    );
  };
  const timer = setInterval(probe, intervalMs);
  timer.unref();
  probe();
  return { stop: () => clearInterval(timer) };
}

/** Where docs/operations.md holds the generated metrics reference. */
export const METRICS_REFERENCE_MARKERS = {
  begin: '<!-- metrics-reference:begin (generated: npm run docs -w claudine) -->',
  end: '<!-- metrics-reference:end -->',
} as const;

interface MetricDescription {
  name: string;
  type: MetricType;
  help: string;
  labelNames: readonly string[];
}

/**
 * A Markdown table of the `claudine_` metrics these registries define (their samples are not
 * read: no collect() runs), one row per name, naming each service that exports it.
 */
export function renderMetricsReference(
  registries: readonly { service: string; registry: Registry }[],
): string {
  const rows = new Map<string, { metric: MetricDescription; services: string[] }>();
  for (const { service, registry } of registries) {
    for (const metric of registry.getMetricsAsArray() as unknown as MetricDescription[]) {
      if (!metric.name.startsWith('claudine_')) continue;
      const row = rows.get(metric.name);
      if (row) row.services.push(service);
      else rows.set(metric.name, { metric, services: [service] });
    }
  }
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const lines = ['| Metric | Type | Labels | Exported by | Meaning |', '| --- | --- | --- | --- | --- |'];
  const sorted = [...rows.values()].sort((a, b) => a.metric.name.localeCompare(b.metric.name));
  for (const { metric, services } of sorted) {
    const name = metric.name;
    const labels = metric.labelNames.length
      ? metric.labelNames.map((label) => `\`${label}\``).join(', ')
      : 'none';
    lines.push(
      `| \`${name}\` | ${metric.type} | ${labels} | ${services.join(', ')} | ${cell(metric.help)} |`,
    );
  }
  return lines.join('\n');
}
