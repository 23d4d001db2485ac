import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root: tests/deploy/test/support -> ../../../.. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export const repoPath = (...parts: string[]): string => path.join(REPO_ROOT, ...parts);

/** The Claudine programs the deployment files run; everything else is a third-party image. */
export type ServiceKind = 'coordinator' | 'worker' | 'cli';

export const isServiceKind = (value: unknown): value is ServiceKind =>
  value === 'coordinator' || value === 'worker' || value === 'cli';

// ---------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------

export interface ComposeHealthcheck {
  test: string[] | string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: ComposeHealthcheck;
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** `${NAME:-default}` / `${NAME-default}` take the default, `${NAME}` is empty: the file as run with a clean shell. */
export function interpolate(text: string): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_match, _name, fallback?: string) => fallback ?? '',
  );
}

export function loadCompose(): ComposeFile {
  // `merge: true`: the file shares its build settings through a `<<:` merge key.
  const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
  if (typeof compose?.services !== 'object') throw new Error('docker-compose.yml has no services');
  return compose;
}

/**
 * The variables a compose service sets. A name with no value is passed through from the shell
 * that runs compose: it is in the map with the value undefined.
 */
export function composeEnvironment(service: ComposeService): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  const entries = service.environment ?? {};
  if (Array.isArray(entries)) {
    for (const entry of entries) {
      const equals = entry.indexOf('=');
      if (equals === -1) env.set(entry, undefined);
      else env.set(entry.slice(0, equals), interpolate(entry.slice(equals + 1)));
    }
  } else {
    for (const [name, value] of Object.entries(entries))
      env.set(name, value === null ? undefined : interpolate(String(value)));
  }
  return env;
}

/** The container side of a `ports` entry: `127.0.0.1:9464:9464`, `9464:9464/tcp`, `9464`. */
export function containerPort(mapping: string): number {
  const withoutProtocol = mapping.split('/')[0]!;
  const parts = withoutProtocol.split(':');
  return Number(parts[parts.length - 1]);
}

/** `75s`, `1m30s`, `2m`, `500ms` as seconds. */
export function composeDurationSeconds(text: string): number {
  let total = 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let consumed = '';
  for (const match of text.matchAll(pattern)) {
    const value = Number(match[1]);
    total +=
      match[2] === 'h'
        ? value * 3600
        : match[2] === 'm'
          ? value * 60
          : match[2] === 's'
            ? value
            : value / 1000;
    consumed += match[0];
  }
  if (consumed !== text) throw new Error(`"${text}" is not a compose duration`);
  return total;
}

/** Every http(s) URL in a health check command, or in a probe's command line. */
export function urlsIn(command: string[] | string): URL[] {
  const text = Array.isArray(command) ? command.join(' ') : command;
  return [...text.matchAll(/https?:\/\/[^\s'"`)]+/g)].map((match) => new URL(match[0]));
}

// ---------------------------------------------------------------------------------------------
// deploy/k8s
// ---------------------------------------------------------------------------------------------

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface K8sManifest {
  /** Relative to the repository root. */
  file: string;
  object: K8sObject;
}

export interface K8sProbe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
}

export interface K8sContainer {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: K8sProbe;
  livenessProbe?: K8sProbe;
  startupProbe?: K8sProbe;
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

export interface K8sPodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: K8sContainer[];
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    terminationGracePeriodSeconds?: number;
    volumes?: { name: string }[];
  };
}

/** Every YAML file under deploy/k8s, relative to the repository root. */
export function k8sYamlFiles(): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(repoPath(directory), { withFileTypes: true })) {
      const relative = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (/\.ya?ml$/.test(entry.name)) files.push(relative);
    }
  };
  walk('deploy/k8s');
  return files.sort();
}

/** Every document in those files that has a `kind`: Kubernetes objects and kustomizations. */
export function loadK8sManifests(): K8sManifest[] {
  const manifests: K8sManifest[] = [];
  for (const file of k8sYamlFiles()) {
    for (const document of parseAllDocuments(readFileSync(repoPath(file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      const object = document.toJS() as K8sObject | null;
      if (object !== null && typeof object === 'object' && typeof object.kind === 'string')
        manifests.push({ file, object });
    }
  }
  return manifests;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

export function podTemplate(object: K8sObject): K8sPodTemplate {
  const template = object.spec?.template as K8sPodTemplate | undefined;
  if (!template) throw new Error(`${object.kind} ${object.metadata.name} has no pod template`);
  return template;
}

/** A workload's Claudine program, from its pod label `app.kubernetes.io/component`. */
export function workloadKind(object: K8sObject): ServiceKind | undefined {
  const component = podTemplate(object).metadata.labels['app.kubernetes.io/component'];
  return isServiceKind(component) ? component : undefined;
}

/** A stand-in for values Kubernetes fills in at run time (`valueFrom: fieldRef`). */
const FIELD_REF_SAMPLES: Record<string, string> = {
  'metadata.name': 'claudine-worker-7d9f8c6b5-x2x4q',
  'metadata.namespace': 'claudine',
  'status.podIP': '10.0.0.12',
  'spec.nodeName': 'node-1',
};

/**
 * The environment a container gets: its ConfigMaps and Secrets through envFrom (in order), then
 * its own `env` entries. Values from a fieldRef are replaced by a sample of what Kubernetes puts there.
 */
export function containerEnvironment(container: K8sContainer, manifests: K8sManifest[]): Map<string, string> {
  const env = new Map<string, string>();
  const find = (kind: string, name: string): K8sObject => {
    const found = manifests.find(
      (manifest) => manifest.object.kind === kind && manifest.object.metadata.name === name,
    );
    if (!found)
      throw new Error(
        `container ${container.name}: envFrom names ${kind} ${name}, which no manifest defines`,
      );
    return found.object;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      for (const [name, value] of Object.entries(find('ConfigMap', source.configMapRef.name).data ?? {}))
        env.set(name, String(value));
    }
    if (source.secretRef) {
      const secret = find('Secret', source.secretRef.name);
      for (const [name, value] of Object.entries(secret.stringData ?? {})) env.set(name, String(value));
      for (const [name, value] of Object.entries(secret.data ?? {}))
        env.set(name, Buffer.from(String(value), 'base64').toString('utf8'));
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env.set(entry.name, String(entry.value));
    else {
      const fieldPath = (entry.valueFrom?.fieldRef as { fieldPath?: string } | undefined)?.fieldPath;
      const sample = fieldPath === undefined ? undefined : FIELD_REF_SAMPLES[fieldPath];
      if (sample === undefined)
        throw new Error(`container ${container.name}: no sample value for env ${entry.name}`);
      env.set(entry.name, sample);
    }
  }
  return env;
}

/** A port given by name (`port: metrics`) resolved against the container's ports. */
export function resolveContainerPort(container: K8sContainer, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  if (!named) throw new Error(`container ${container.name} has no port named ${port}`);
  return named.containerPort;
}

// ---------------------------------------------------------------------------------------------
// deploy/Dockerfile
// ---------------------------------------------------------------------------------------------

export interface DockerStage {
  name: string;
  /** The stage or image it starts from. */
  from: string;
  /** ENV set in this stage only. */
  env: Map<string, string>;
  user?: string;
  healthcheck?: string;
  expose: number[];
}

/** The stages of a Dockerfile, with the instructions these tests look at. */
export function loadDockerfile(file = 'deploy/Dockerfile'): DockerStage[] {
  const text = readFileSync(repoPath(file), 'utf8');
  // Join continuation lines, drop comments.
  const instructions = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    const [keyword = '', ...rest] = instruction.split(/\s+/);
    const argument = instruction.slice(keyword.length).trim();
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(argument);
      if (!from) throw new Error(`${file}: cannot read "${instruction}"`);
      stages.push({ name: from[2] ?? `stage-${stages.length}`, from: from[1]!, env: new Map(), expose: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    if (upper === 'ENV') {
      for (const pair of argument.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
        stage.env.set(pair[1]!, pair[2]!.replace(/^"|"$/g, ''));
    } else if (upper === 'USER') stage.user = rest[0];
    else if (upper === 'HEALTHCHECK') stage.healthcheck = argument;
    else if (upper === 'EXPOSE') stage.expose.push(...rest.map((port) => Number(port.split('/')[0])));
  }
  return stages;
}

/** The stage's effective ENV and USER, its ancestors' first. */
export function effectiveStage(
  stages: DockerStage[],
  name: string,
): { env: Map<string, string>; user?: string } {
  const chain: DockerStage[] = [];
  for (let stage = stages.find((candidate) => candidate.name === name); stage;) {
    chain.unshift(stage);
    const parent = stage.from;
    stage = stages.find((candidate) => candidate.name === parent);
  }
  if (chain.length === 0) throw new Error(`deploy/Dockerfile has no stage ${name}`);
  const env = new Map<string, string>();
  let user: string | undefined;
  for (const stage of chain) {
    for (const [key, value] of stage.env) env.set(key, value);
    if (stage.user !== undefined) user = stage.user;
  }
  return { env, ...(user === undefined ? {} : { user }) };
}

/** The names the CLI reads from its environment (`process.env.X`, `env('X')`) in its sources. */
export function cliEnvironmentNames(): Set<string> {
  const names = new Set<string>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const source = readFileSync(full, 'utf8');
        for (const match of source.matchAll(
          /process\.env\.([A-Z_][A-Z0-9_]*)|\benv\('([A-Z_][A-Z0-9_]*)'\)/g,
        ))
          names.add(match[1] ?? match[2]!);
      }
    }
  };
  walk(repoPath('services/cli/src'));
  return names;
}
