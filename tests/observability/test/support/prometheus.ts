import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findFreePort, waitFor } from '@claudine/testing';

const OUTPUT_TAIL_CHARS = 8_000;

/** Why the real Prometheus cannot run here, or undefined when both binaries answer. */
export function prometheusUnavailable(): string | undefined {
  for (const binary of ['prometheus', 'promtool']) {
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.error) {
      return (probe.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${binary} is not installed (Debian: apt-get install prometheus)`
        : `${binary} --version failed: ${probe.error.message}`;
    }
    if (probe.status !== 0) return `${binary} --version exited ${probe.status}: ${probe.stderr}`;
  }
  return undefined;
}

/** Runs promtool; its exit code and output, for an assertion that shows both. */
export function promtool(args: readonly string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}${run.error?.message ?? ''}` };
}

export interface ScrapeJob {
  name: string;
  targets: readonly string[];
}

export interface PrometheusOptions {
  /** Where its config and TSDB go (the caller removes it). */
  dir: string;
  jobs: readonly ScrapeJob[];
  ruleFiles: readonly string[];
  /** Scrape and rule evaluation interval. @default '1s' */
  interval?: string;
}

export interface QueryResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

export interface LoadedRule {
  name: string;
  query: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
}

/**
 * A real Prometheus (the `prometheus` binary) on a free loopback port, scraping the given
 * targets. Its config is JSON, which is YAML.
 */
export class PrometheusServer {
  readonly exited: Promise<void>;
  private tail = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const record = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    child.once('error', (error) => record(Buffer.from(`spawn error: ${error.message}\n`)));
  }

  static async start({
    dir,
    jobs,
    ruleFiles,
    interval = '1s',
  }: PrometheusOptions): Promise<PrometheusServer> {
    const configFile = path.join(dir, 'prometheus.yml');
    const config = {
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      rule_files: ruleFiles,
      scrape_configs: jobs.map((job) => ({
        job_name: job.name,
        static_configs: [{ targets: job.targets }],
      })),
    };
    await mkdir(path.join(dir, 'data'), { recursive: true });
    await writeFile(configFile, JSON.stringify(config, null, 2));
    const port = await findFreePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor(
        async () => {
          if (!server.running) throw new Error(`prometheus exited:\n${server.output}`);
          const response = await fetch(`${server.url}/-/ready`).catch(() => undefined);
          return response?.ok;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: 'prometheus to be ready' },
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Its log (the tail), for failure messages. */
  get output(): string {
    return this.tail;
  }

  async query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }).toString(),
    });
    return (await response.json()) as QueryResult;
  }

  /** The first sample's value of an instant query, or undefined when it has none. */
  async scalar(expr: string): Promise<number | undefined> {
    const result = await this.query(expr);
    const first = result.data?.result[0] as { value?: [number, string] } | undefined;
    return first?.value ? Number(first.value[1]) : undefined;
  }

  async targets(): Promise<{ scrapePool: string; scrapeUrl: string; health: string; lastError: string }[]> {
    const response = await fetch(`${this.url}/api/v1/targets?state=active`);
    const body = (await response.json()) as {
      data: { activeTargets: { scrapePool: string; scrapeUrl: string; health: string; lastError: string }[] };
    };
    return body.data.activeTargets;
  }

  /** The alerting rules it loaded, with their last evaluation. */
  async alertRules(): Promise<LoadedRule[]> {
    const response = await fetch(`${this.url}/api/v1/rules?type=alert`);
    const body = (await response.json()) as { data: { groups: { rules: LoadedRule[] }[] } };
    return body.data.groups.flatMap((group) => group.rules);
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }
}
