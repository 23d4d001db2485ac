import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  ConfigSchema as CoordinatorConfigSchema,
  CoordinatorService,
  loadConfig as loadCoordinatorConfig,
} from '@claudine/coordinator';
import { createLogger } from '@claudine/observability';
import {
  createTempDir,
  findFreePort,
  startRedis,
  waitFor,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import {
  ConfigSchema as WorkerConfigSchema,
  DEFAULT_AGENT_ENV_ALLOWLIST,
  loadConfig as loadWorkerConfig,
  WorkerService,
} from '@claudine/worker';
import {
  cliEnvironmentNames,
  composeDurationSeconds,
  composeEnvironment,
  containerEnvironment,
  containerPort,
  effectiveStage,
  isServiceKind,
  k8sYamlFiles,
  loadCompose,
  loadDockerfile,
  loadK8sManifests,
  podTemplate,
  repoPath,
  resolveContainerPort,
  urlsIn,
  workloadKind,
  WORKLOAD_KINDS,
  type ComposeService,
  type K8sContainer,
  type K8sManifest,
  type K8sProbe,
  type ServiceKind,
} from './support/deploy-files';

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// What the services know, read from the services themselves.
// ---------------------------------------------------------------------------------------------

/** The variables each service's zod schema reads (its input object's keys), never a list kept here. */
const SCHEMA_NAMES: Record<Exclude<ServiceKind, 'cli'>, ReadonlySet<string>> = {
  coordinator: new Set(Object.keys(CoordinatorConfigSchema.in.shape)),
  worker: new Set(Object.keys(WorkerConfigSchema.in.shape)),
};

/** A worker also passes the agent's variables through (its allowlist: names, or prefixes ending in *). */
function isAgentVariable(name: string): boolean {
  return DEFAULT_AGENT_ENV_ALLOWLIST.some((pattern) =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
  );
}

function isKnownVariable(kind: ServiceKind, name: string): boolean {
  if (kind === 'cli') return cliEnvironmentNames().has(name);
  if (kind === 'worker' && isAgentVariable(name)) return true;
  return SCHEMA_NAMES[kind].has(name);
}

/** Loads the config exactly as the service's main.ts does; throws CONFIG_INVALID naming the variable. */
function loadServiceConfig(kind: 'coordinator' | 'worker', env: Record<string, string>) {
  return kind === 'coordinator' ? loadCoordinatorConfig(env) : loadWorkerConfig(env);
}

/** The ports a service opens with this config: gRPC, ops (health and metrics), MCP. */
function openedPorts(kind: ServiceKind, env: Record<string, string>): number[] {
  if (kind === 'cli') return [];
  if (kind === 'coordinator') {
    const config = loadCoordinatorConfig(env);
    return [config.grpc.port, config.metrics.port, ...(config.mcp ? [config.mcp.port] : [])];
  }
  return [loadWorkerConfig(env).metrics.port];
}

function metricsPort(kind: 'coordinator' | 'worker', env: Record<string, string>): number {
  return loadServiceConfig(kind, env).metrics.port;
}

const withValues = (env: Map<string, string | undefined>): Record<string, string> =>
  Object.fromEntries([...env].filter((entry): entry is [string, string] => entry[1] !== undefined));

// ---------------------------------------------------------------------------------------------
// The files.
// ---------------------------------------------------------------------------------------------

const compose = loadCompose();
const manifests = loadK8sManifests();
const dockerStages = loadDockerfile();

/** Compose services that run a Claudine program, by the Dockerfile target they build. */
const composeClaudine = Object.entries(compose.services).flatMap(([name, service]) => {
  const target = service.build?.target;
  return isServiceKind(target) ? [{ name, service, kind: target }] : [];
});

const workloads = manifests.filter((manifest) => WORKLOAD_KINDS.includes(manifest.object.kind));

/** Every container of a Claudine workload, with its program and environment. */
const k8sClaudine = workloads.flatMap((manifest) => {
  const kind = workloadKind(manifest.object);
  if (kind === undefined) return [];
  return podTemplate(manifest.object).spec.containers.map((container) => ({
    manifest,
    container,
    kind,
    env: containerEnvironment(container, manifests),
  }));
});

function probesOf(container: K8sContainer): [string, K8sProbe][] {
  return (['readinessProbe', 'livenessProbe', 'startupProbe'] as const).flatMap((field) =>
    container[field] ? [[field, container[field]] as [string, K8sProbe]] : [],
  );
}

/**
 * Every HTTP path a health check, probe or scrape annotation of a Claudine program asks for, by
 * program: compose health checks, Kubernetes probes and annotations, the images' HEALTHCHECK.
 */
const probePaths: Record<'coordinator' | 'worker', Set<string>> = {
  coordinator: new Set(),
  worker: new Set(),
};
for (const { service, kind } of composeClaudine) {
  if (kind === 'cli') continue;
  for (const url of urlsIn(service.healthcheck?.test ?? [])) probePaths[kind].add(url.pathname);
}
for (const { manifest, container, kind } of k8sClaudine) {
  if (kind === 'cli') continue;
  for (const [, probe] of probesOf(container)) if (probe.httpGet) probePaths[kind].add(probe.httpGet.path);
  const scrapePath = podTemplate(manifest.object).metadata.annotations?.['prometheus.io/path'];
  if (scrapePath !== undefined) probePaths[kind].add(scrapePath);
}
for (const kind of ['coordinator', 'worker'] as const) {
  for (const match of (dockerStages.find((stage) => stage.name === kind)?.healthcheck ?? '').matchAll(
    /'(\/[a-z]+)'/g,
  ))
    probePaths[kind].add(match[1]!);
}

describe('docker-compose.yml', () => {
  it('runs a coordinator and a scalable worker built from deploy/Dockerfile, with Redis, Prometheus and Grafana', () => {
    expect(composeClaudine.map(({ kind }) => kind)).toEqual(
      expect.arrayContaining(['coordinator', 'worker', 'cli']),
    );
    for (const name of ['redis', 'prometheus', 'grafana']) expect(compose.services[name]).toBeDefined();
    const stageNames = dockerStages.map((stage) => stage.name);
    for (const { name, service } of composeClaudine) {
      expect({ name, dockerfile: service.build?.dockerfile }).toEqual({
        name,
        dockerfile: 'deploy/Dockerfile',
      });
      expect(stageNames).toContain(service.build?.target);
    }
    // --scale worker=N: no fixed host port (two replicas would collide), no container_name.
    const worker = compose.services.worker!;
    expect(worker.ports ?? []).toEqual([]);
    expect(worker).not.toHaveProperty('container_name');
  });

  it.each(composeClaudine.map(({ name, service, kind }) => [name, kind, service] as const))(
    'service %s (%s) sets only variables its config schema knows, with values its loadConfig accepts',
    (name, kind, service) => {
      const env = composeEnvironment(service);
      const unknown = [...env.keys()].filter((variable) => !isKnownVariable(kind, variable));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      if (kind !== 'cli') expect(() => loadServiceConfig(kind, withValues(env))).not.toThrow();
    },
  );

  it.each(
    composeClaudine
      .filter(({ kind }) => kind !== 'cli')
      .map(({ name, service, kind }) => [name, kind, service] as const),
  )('service %s (%s) publishes and checks only ports it opens, on paths it serves', (name, kind, service) => {
    const env = withValues(composeEnvironment(service));
    const opened = openedPorts(kind, env);
    expect(opened.every((port) => port > 0)).toBe(true); // fixed ports, not "any free one"
    for (const mapping of service.ports ?? [])
      expect({ name, opened }).toEqual({ name, opened: expect.arrayContaining([containerPort(mapping)]) });
    for (const port of service.expose ?? [])
      expect({ name, opened }).toEqual({ name, opened: expect.arrayContaining([Number(port)]) });
    expect(service.healthcheck).toBeDefined();
    const urls = urlsIn(service.healthcheck!.test);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(Number(url.port)).toBe(metricsPort(kind as 'coordinator' | 'worker', env));
      expect(['/healthz', '/readyz']).toContain(url.pathname);
    }
  });

  it("gives a worker's stop grace period its drain timeout and the agents' kill grace", () => {
    const worker = compose.services.worker!;
    const config = loadWorkerConfig(withValues(composeEnvironment(worker)));
    expect(worker.stop_grace_period).toBeDefined();
    expect(composeDurationSeconds(worker.stop_grace_period!)).toBeGreaterThanOrEqual(
      (config.drainTimeoutMs + config.agent.killGraceMs) / 1000,
    );
  });

  it('runs Redis with AOF and noeviction, on a volume, with a health check', () => {
    const redis = compose.services.redis!;
    const command = (Array.isArray(redis.command) ? redis.command : (redis.command ?? '').split(/\s+/)).map(
      String,
    );
    expect(argumentAfter(command, '--appendonly')).toBe('yes');
    expect(argumentAfter(command, '--maxmemory-policy')).toBe('noeviction');
    expect((redis.volumes ?? []).some((volume) => volume.endsWith(':/data'))).toBe(true);
    expect(redis.healthcheck?.test).toContain('ping');
  });

  it('has a health check on every long-running service, and waits on them', () => {
    const longRunning = Object.entries(compose.services).filter(
      ([name, service]) => !(service.profiles ?? []).length && name !== 'ready',
    );
    for (const [name, service] of longRunning)
      expect({ name, healthcheck: service.healthcheck !== undefined }).toEqual({ name, healthcheck: true });
    for (const [name, service] of Object.entries(compose.services)) {
      const dependsOn = service.depends_on ?? {};
      expect({ name, list: Array.isArray(dependsOn) }).toEqual({ name, list: false });
      for (const [dependency, { condition }] of Object.entries(
        dependsOn as Record<string, { condition: string }>,
      )) {
        expect(compose.services[dependency]).toBeDefined();
        if (condition === 'service_healthy') expect(hasHealthcheck(compose.services[dependency]!)).toBe(true);
      }
    }
  });

  it('mounts the Prometheus and Grafana files that exist, where their configs expect them', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        // Repository-relative bind mounts; ${CLAUDINE_REPOS_DIR:-./repos} is the user's own.
        if (source?.startsWith('./') && !volume.includes('${'))
          expect({ name, source, exists: existsSync(repoPath(source)) }).toEqual({
            name,
            source,
            exists: true,
          });
      }
    }
    const mountTarget = (service: ComposeService, source: string): string | undefined =>
      (service.volumes ?? []).map((volume) => volume.split(':')).find(([from]) => from === source)?.[1];

    // Prometheus reads its config from the mounted deploy/prometheus, and scrapes the services on the ports they open.
    const prometheus = compose.services.prometheus!;
    const prometheusDir = mountTarget(prometheus, './deploy/prometheus');
    expect(prometheusDir).toBeDefined();
    const configFlag = (prometheus.command as string[]).find((flag) => flag.startsWith('--config.file='));
    expect(configFlag).toBe(`--config.file=${prometheusDir}/prometheus.yml`);
    const scrape = parse(readFileSync(repoPath('deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const scraped: { host: string; port: number }[] = scrape.scrape_configs.flatMap((job) => [
      ...(job.static_configs ?? []).flatMap((config) =>
        config.targets.map((target) => ({ host: target.split(':')[0]!, port: Number(target.split(':')[1]) })),
      ),
      ...(job.dns_sd_configs ?? []).flatMap((config) =>
        config.names.map((host) => ({ host, port: config.port })),
      ),
    ]);
    for (const { name, service, kind } of composeClaudine.filter(({ kind }) => kind !== 'cli')) {
      const targets = scraped.filter((target) => target.host === name);
      expect({ name, scraped: targets.length > 0 }).toEqual({ name, scraped: true });
      const port = metricsPort(kind as 'coordinator' | 'worker', withValues(composeEnvironment(service)));
      for (const target of targets) expect({ name, port: target.port }).toEqual({ name, port });
    }

    // Grafana's dashboard provider reads the directory the dashboards are mounted at.
    const grafana = compose.services.grafana!;
    expect(mountTarget(grafana, './deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const dashboardsDir = mountTarget(grafana, './deploy/grafana/dashboards');
    const providersDir = repoPath('deploy/grafana/provisioning/dashboards');
    const providerPaths = readdirSync(providersDir)
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap(
        (file) =>
          (
            parse(readFileSync(path.join(providersDir, file), 'utf8')) as {
              providers: { options: { path: string } }[];
            }
          ).providers,
      )
      .map((provider) => provider.options.path);
    expect(providerPaths.length).toBeGreaterThan(0);
    for (const providerPath of providerPaths) expect(providerPath).toBe(dashboardsDir);
  });
});

describe('deploy/k8s', () => {
  it('ties every manifest together in kustomization.yaml, and every component lists files that exist', () => {
    const kustomizations = manifests.filter((manifest) =>
      ['Kustomization', 'Component'].includes(manifest.object.kind),
    );
    expect(kustomizations.map((manifest) => manifest.file)).toContain('deploy/k8s/kustomization.yaml');
    for (const { file, object } of kustomizations) {
      const resources = (object as unknown as { resources?: string[] }).resources ?? [];
      for (const resource of resources)
        expect({
          file,
          resource,
          exists: existsSync(path.join(repoPath(path.dirname(file)), resource)),
        }).toEqual({ file, resource, exists: true });
    }
    // Every manifest is reachable: the top-level ones from kustomization.yaml, the rest from their component.
    const listed = new Set(
      kustomizations.flatMap(({ file, object }) =>
        ((object as unknown as { resources?: string[] }).resources ?? []).map((resource) =>
          path.join(path.dirname(file), resource),
        ),
      ),
    );
    const objectFiles = new Set(
      manifests
        .filter((manifest) => !['Kustomization', 'Component'].includes(manifest.object.kind))
        .map((manifest) => manifest.file),
    );
    for (const file of objectFiles)
      expect({ file, listed: listed.has(file) }).toEqual({ file, listed: true });
    // Non-manifest YAML (Helm values for prometheus-adapter) is documented, not applied.
    expect(
      k8sYamlFiles().filter(
        (file) => !objectFiles.has(file) && !kustomizations.some((manifest) => manifest.file === file),
      ),
    ).toEqual(['deploy/k8s/prometheus-adapter/values.yaml']);
  });

  it('runs the coordinator as a Deployment behind a Service, and the workers as a Deployment', () => {
    const deployments = workloads.filter((manifest) => manifest.object.kind === 'Deployment');
    expect(deployments.map((manifest) => workloadKind(manifest.object)).sort()).toEqual([
      'coordinator',
      'worker',
    ]);
    const services = manifests.filter((manifest) => manifest.object.kind === 'Service');
    expect(services.some((service) => selects(service, 'coordinator'))).toBe(true);
  });

  it.each(
    k8sClaudine.map(
      ({ manifest, container, kind, env }) => [manifest.object.metadata.name, kind, container, env] as const,
    ),
  )(
    '%s (%s) sets only variables its config schema knows (env, ConfigMap, Secret), with values its loadConfig accepts',
    (name, kind, _container, env) => {
      const unknown = [...env.keys()].filter((variable) => !isKnownVariable(kind, variable));
      expect({ workload: name, unknown }).toEqual({ workload: name, unknown: [] });
      if (kind !== 'cli') expect(() => loadServiceConfig(kind, Object.fromEntries(env))).not.toThrow();
    },
  );

  it('keeps secrets out of the ConfigMaps, and gives no worker the API tokens', () => {
    const secretNames = [
      'REDIS_PASSWORD',
      'CLAUDINE_API_TOKENS',
      'ANTHROPIC_API_KEY',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'CLAUDINE_METRICS_TOKEN',
    ];
    for (const { object } of manifests.filter((manifest) => manifest.object.kind === 'ConfigMap')) {
      const data = object.data ?? {};
      expect({
        configMap: object.metadata.name,
        secrets: secretNames.filter((name) => name in data),
      }).toEqual({
        configMap: object.metadata.name,
        secrets: [],
      });
      expect(Object.values(data).some((value) => /:\/\/[^/]*:[^/]*@/.test(String(value)))).toBe(false); // no password in a URL
    }
    for (const { kind, env } of k8sClaudine) {
      if (kind === 'worker') expect(env.has('CLAUDINE_API_TOKENS')).toBe(false);
      if (kind === 'coordinator') expect(env.has('ANTHROPIC_API_KEY')).toBe(false);
    }
  });

  it.each(
    k8sClaudine.map(
      ({ manifest, container, kind, env }) =>
        [manifest.object.metadata.name, kind, container, env, manifest] as const,
    ),
  )(
    '%s (%s) declares only ports it opens, probes /healthz and /readyz on its metrics port',
    (_name, kind, container, env, manifest) => {
      const values = Object.fromEntries(env);
      const opened = openedPorts(kind, values);
      expect(opened.every((port) => port > 0)).toBe(true);
      for (const { containerPort: port } of container.ports ?? []) expect(opened).toContain(port);
      const probes = probesOf(container);
      expect(probes.map(([field, probe]) => [field, probe.httpGet?.path]).sort()).toEqual([
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
      ]);
      const port = metricsPort(kind as 'coordinator' | 'worker', values);
      for (const [, probe] of probes) {
        expect(resolveContainerPort(container, probe.httpGet!.port)).toBe(port);
      }
      // Prometheus annotations name the same port and path.
      const annotations = podTemplate(manifest.object).metadata.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(Number(annotations['prometheus.io/port'])).toBe(port);
      expect(annotations['prometheus.io/path']).toBe('/metrics');
    },
  );

  it("points every Service's targetPort at a port its pods open", () => {
    for (const service of manifests.filter((manifest) => manifest.object.kind === 'Service')) {
      const spec = service.object.spec as {
        ports: { name: string; port: number; targetPort?: number | string }[];
      };
      const targets = workloads.filter((workload) =>
        selects(service, podTemplate(workload.object).metadata.labels),
      );
      expect({ service: service.object.metadata.name, selectsPods: targets.length > 0 }).toEqual({
        service: service.object.metadata.name,
        selectsPods: true,
      });
      for (const workload of targets) {
        const container = podTemplate(workload.object).spec.containers[0]!;
        for (const port of spec.ports) {
          const resolved = resolveContainerPort(container, port.targetPort ?? port.port);
          const kind = workloadKind(workload.object);
          if (kind !== undefined)
            expect(
              openedPorts(kind, Object.fromEntries(containerEnvironment(container, manifests))),
            ).toContain(resolved);
          else expect((container.ports ?? []).map((open) => open.containerPort)).toContain(resolved);
        }
      }
    }
  });

  it("gives a worker pod the time to drain: terminationGracePeriodSeconds >= drain timeout + the agents' kill grace", () => {
    const workers = k8sClaudine.filter(({ kind }) => kind === 'worker');
    expect(workers.length).toBeGreaterThan(0);
    for (const { manifest, env } of workers) {
      const config = loadWorkerConfig(Object.fromEntries(env));
      const grace = podTemplate(manifest.object).spec.terminationGracePeriodSeconds;
      expect(grace).toBeDefined();
      expect(grace!).toBeGreaterThanOrEqual((config.drainTimeoutMs + config.agent.killGraceMs) / 1000);
    }
  });

  it('runs Claudine as a non-root user', () => {
    for (const { manifest, container } of k8sClaudine) {
      const pod = podTemplate(manifest.object).spec.securityContext ?? {};
      const own = container.securityContext ?? {};
      expect(own.runAsNonRoot ?? pod.runAsNonRoot).toBe(true);
      expect(own.runAsUser ?? pod.runAsUser).not.toBe(0);
    }
  });

  it('runs Redis as a StatefulSet with a PersistentVolumeClaim, AOF and noeviction', () => {
    const redis = workloads.find(
      (manifest) => podTemplate(manifest.object).metadata.labels['app.kubernetes.io/component'] === 'redis',
    );
    expect(redis?.object.kind).toBe('StatefulSet');
    const container = podTemplate(redis!.object).spec.containers[0]!;
    const args = [...(container.command ?? []), ...(container.args ?? [])];
    expect(argumentAfter(args, '--appendonly')).toBe('yes');
    expect(argumentAfter(args, '--maxmemory-policy')).toBe('noeviction');
    const claims =
      (redis!.object.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] })
        .volumeClaimTemplates ?? [];
    const dataDir = argumentAfter(args, '--dir') ?? '/data';
    const mount = container.volumeMounts?.find((volumeMount) => volumeMount.mountPath === dataDir);
    expect(mount).toBeDefined();
    expect(claims.map((claim) => claim.metadata.name)).toContain(mount!.name);
    // The password Redis requires is the one the services are given.
    expect(argumentAfter(args, '--requirepass')).toBe('$(REDIS_PASSWORD)');
    expect(containerEnvironment(container, manifests).get('REDIS_PASSWORD')).toBeDefined();
    for (const { env } of k8sClaudine)
      expect(env.get('REDIS_PASSWORD')).toBe(
        containerEnvironment(container, manifests).get('REDIS_PASSWORD'),
      );
  });

  it('scales the workers on queue depth: the HPA, prometheus-adapter rule and KEDA trigger agree', () => {
    const hpa = manifests.find((manifest) => manifest.object.kind === 'HorizontalPodAutoscaler');
    const workerDeployment = workloads.find((manifest) => workloadKind(manifest.object) === 'worker')!;
    const hpaSpec = hpa!.object.spec as {
      scaleTargetRef: { kind: string; name: string };
      metrics: { type: string; external: { metric: { name: string } } }[];
    };
    expect(hpaSpec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: workerDeployment.object.metadata.name,
    });
    const adapter = parse(readFileSync(repoPath('deploy/k8s/prometheus-adapter/values.yaml'), 'utf8')) as {
      rules: { external: { name: { as: string }; metricsQuery: string }[] };
    };
    expect(adapter.rules.external.map((rule) => rule.name.as)).toContain(
      hpaSpec.metrics[0]!.external.metric.name,
    );
    const scaledObject = manifests.find((manifest) => manifest.object.kind === 'ScaledObject');
    expect((scaledObject!.object.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name).toBe(
      workerDeployment.object.metadata.name,
    );
  });
});

describe('deploy/Dockerfile', () => {
  it.each(['coordinator', 'worker', 'cli'])('the %s image runs as a non-root user', (target) => {
    const { user } = effectiveStage(dockerStages, target);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
  });

  it.each(['coordinator', 'worker'] as const)(
    'the %s image opens the ports it exposes, and its HEALTHCHECK asks /healthz on its metrics port',
    (target) => {
      const stage = dockerStages.find((candidate) => candidate.name === target)!;
      const env = Object.fromEntries(effectiveStage(dockerStages, target).env);
      const opened = openedPorts(target, env);
      for (const port of stage.expose) expect(opened).toContain(port);
      expect(stage.healthcheck).toContain("'/healthz'");
      expect(stage.healthcheck).toContain('process.env.CLAUDINE_METRICS_PORT');
      expect(metricsPort(target, env)).toBeGreaterThan(0);
    },
  );

  it('puts git and the pinned Claude Code CLI in the worker image', () => {
    const text = readFileSync(repoPath('deploy/Dockerfile'), 'utf8');
    expect(text).toMatch(/apt-get install[^\n]*\bgit\b/);
    const pinned = (
      JSON.parse(readFileSync(repoPath('services/worker/package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies['@anthropic-ai/claude-code'];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/); // an exact version, which npm ci installs from the lock
    expect(text).toContain('/app/node_modules/@anthropic-ai/claude-code/bin/claude.exe');
  });
});

describe('the probe paths and autoscaler metrics, against running services', () => {
  let redis: RedisHarness;
  let dataDir: TempDir;
  let coordinator: CoordinatorService | undefined;
  let worker: WorkerService | undefined;
  const silent = createLogger({ name: 'deploy-test', level: 'silent' });

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = await createTempDir('claudine-deploy-');
  });

  afterAll(async () => {
    await worker?.close();
    await coordinator?.close();
    await dataDir?.remove();
    await redis?.stop();
  });

  /** The deployment's own settings, on the test's Redis and free loopback ports. */
  const onTestRedis = (env: Map<string, string>): Record<string, string> => {
    const local = Object.fromEntries(env);
    delete local.REDIS_PASSWORD;
    return {
      ...local,
      REDIS_URL: redis.url,
      CLAUDINE_KEY_PREFIX: redis.keyPrefix,
      CLAUDINE_GRPC_HOST: '127.0.0.1',
      CLAUDINE_GRPC_PORT: '0',
      CLAUDINE_METRICS_HOST: '127.0.0.1',
      CLAUDINE_METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    };
  };

  it('a coordinator configured as in deploy/k8s serves every path its probes and health checks ask for', async () => {
    const k8s = k8sClaudine.find(({ kind }) => kind === 'coordinator')!;
    coordinator = await CoordinatorService.create(loadCoordinatorConfig(onTestRedis(k8s.env)), silent);
    const base = coordinator.metricsUrl.replace(/\/metrics$/, '');
    expect([...probePaths.coordinator].sort()).toEqual(['/healthz', '/metrics', '/readyz']);
    for (const probePath of probePaths.coordinator) {
      const response = await fetch(`${base}${probePath}`);
      await response.text();
      expect({ path: probePath, status: response.status }).toEqual({ path: probePath, status: 200 });
    }
  });

  it('a worker configured as in deploy/k8s serves every path its probes and health checks ask for', async () => {
    const k8s = k8sClaudine.find(({ kind }) => kind === 'worker')!;
    worker = await WorkerService.create({
      config: loadWorkerConfig({
        ...onTestRedis(k8s.env),
        CLAUDINE_DATA_DIR: dataDir.path,
        CLAUDINE_WORKTREE_GC_INTERVAL_MS: '0',
      }),
      logger: silent,
    });
    const base = worker.metricsUrl.replace(/\/metrics$/, '');
    expect([...probePaths.worker].sort()).toEqual(['/healthz', '/metrics', '/readyz']);
    // Ready once it takes tasks; until then /readyz is 503 (never 404).
    await waitFor(
      async () => {
        const response = await fetch(`${base}/readyz`);
        await response.text();
        expect([200, 503]).toContain(response.status);
        return response.status === 200;
      },
      { timeoutMs: 10_000, description: 'the worker is ready' },
    );
    for (const probePath of probePaths.worker) {
      const response = await fetch(`${base}${probePath}`);
      await response.text();
      expect({ path: probePath, status: response.status }).toEqual({ path: probePath, status: 200 });
    }
  });

  it("the images' HEALTHCHECK and the compose health checks pass against them, and fail where nothing listens", async () => {
    const ports = {
      coordinator: Number(new URL(coordinator!.metricsUrl).port),
      worker: Number(new URL(worker!.metricsUrl).port),
    };
    const closedPort = await findFreePort();
    const exitCode = (command: string[], env: Record<string, string> = {}): Promise<number> =>
      run(command[0]!, command.slice(1), { env: { ...process.env, ...env }, timeout: 10_000 }).then(
        () => 0,
        (error: { code?: number | string }) => (typeof error.code === 'number' ? error.code : -1),
      );
    for (const kind of ['coordinator', 'worker'] as const) {
      // Exec form (a JSON array): Docker would silently run anything else through a shell.
      const healthcheck = dockerStages.find((stage) => stage.name === kind)!.healthcheck!;
      const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];
      expect({ kind, up: await exitCode(command, { CLAUDINE_METRICS_PORT: String(ports[kind]) }) }).toEqual({
        kind,
        up: 0,
      });
      expect(await exitCode(command, { CLAUDINE_METRICS_PORT: String(closedPort) })).not.toBe(0);

      const service = composeClaudine.find((candidate) => candidate.kind === kind)!.service;
      const test = service.healthcheck!.test as string[];
      expect(test[0]).toBe('CMD');
      const configured = metricsPort(kind, withValues(composeEnvironment(service)));
      const onPort = (port: number): string[] =>
        test.slice(1).map((part) => part.replaceAll(`:${configured}/`, `:${port}/`));
      expect({ kind, up: await exitCode(onPort(ports[kind])) }).toEqual({ kind, up: 0 });
      expect(await exitCode(onPort(closedPort))).not.toBe(0);
    }
  });

  it('the autoscaler queries parse (promtool) and name metrics the coordinator exports', async () => {
    const adapter = parse(readFileSync(repoPath('deploy/k8s/prometheus-adapter/values.yaml'), 'utf8')) as {
      rules: { external: { metricsQuery: string }[] };
    };
    const scaledObject = manifests.find((manifest) => manifest.object.kind === 'ScaledObject')!;
    const triggers = (
      scaledObject.object.spec as { triggers: { type: string; metadata: { query: string } }[] }
    ).triggers;
    const queries = [
      ...adapter.rules.external.map((rule) =>
        rule.metricsQuery.replaceAll('<<.LabelMatchers>>', 'namespace="claudine"'),
      ),
      ...triggers.filter((trigger) => trigger.type === 'prometheus').map((trigger) => trigger.metadata.query),
    ];
    expect(queries.length).toBe(2);
    const rules = path.join(dataDir.path, 'autoscaler-rules.yml');
    await writeFile(
      rules,
      JSON.stringify({
        groups: [
          {
            name: 'autoscaler',
            rules: queries.map((expr, index) => ({ record: `claudine:autoscaler_${index}`, expr })),
          },
        ],
      }),
    );
    const { stdout } = await run('promtool', ['check', 'rules', rules]).catch(
      (error: NodeJS.ErrnoException & { stdout?: string; stderr?: string }) => {
        throw new Error(
          error.code === 'ENOENT'
            ? 'promtool not found: install the prometheus package (apt-get install prometheus)'
            : `promtool check rules failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
        );
      },
    );
    expect(stdout).toContain('SUCCESS');

    const exposition = await (await fetch(coordinator!.metricsUrl)).text();
    const names = new Set(
      queries.flatMap((query) => [...query.matchAll(/\b(claudine_[a-z_]+)\b/g)].map((match) => match[1]!)),
    );
    expect(names.size).toBeGreaterThan(0);
    for (const name of names)
      expect({ name, exported: exposition.includes(`# TYPE ${name} `) }).toEqual({ name, exported: true });
  });
});

function argumentAfter(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

function hasHealthcheck(service: ComposeService): boolean {
  if (service.healthcheck) return true;
  const target = service.build?.target;
  return (
    target !== undefined && dockerStages.find((stage) => stage.name === target)?.healthcheck !== undefined
  );
}

/** Whether a Service's selector picks pods with these labels (or of this Claudine program). */
function selects(service: K8sManifest, labels: Record<string, string> | ServiceKind): boolean {
  const selector = (service.object.spec as { selector?: Record<string, string> }).selector ?? {};
  const podLabels =
    typeof labels === 'string'
      ? { 'app.kubernetes.io/name': 'claudine', 'app.kubernetes.io/component': labels }
      : labels;
  return (
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => podLabels[key] === value)
  );
}
