import { z } from 'zod';
import { AppError } from './errors';

/** What every service (and the CLI's `up`) connects to when no Redis variable is set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const REDIS_URL_SCHEMES = ['redis:', 'rediss:', 'redis-sentinel:', 'redis-cluster:'] as const;

export interface RedisHostPort {
  host: string;
  port: number;
}

/**
 * Where Redis is, parsed from the one `redisUrl` string the services pass around:
 * - `redis://[user:pass@]host:port[/db]` or `rediss://...` (TLS): one server;
 * - `redis-sentinel://[user:pass@]h1:p1,h2:p2/<masterName>`: the master that Sentinel names;
 * - `redis-cluster://[user:pass@]h1:p1,h2:p2`: a Redis Cluster, any reachable nodes to start from.
 * Credentials are the data nodes' (an ACL user); they are percent-encoded in the string.
 */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | {
      kind: 'sentinel';
      sentinels: RedisHostPort[];
      masterName: string;
      username?: string;
      password?: string;
    }
  | { kind: 'cluster'; nodes: RedisHostPort[]; username?: string; password?: string };

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,100}$/;

function parseHostPort(text: string): RedisHostPort | undefined {
  const match = HOST_PORT.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `h1:p1,h2:p2` as given in REDIS_SENTINELS and REDIS_CLUSTER_NODES. */
const HostPortList = z.string().transform((text, context) => {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const parsed: RedisHostPort[] = [];
  for (const entry of entries) {
    const hostPort = parseHostPort(entry);
    if (!hostPort) {
      context.addIssue({ code: 'custom', message: `"${entry}" is not host:port (e.g. 10.0.0.5:26379)` });
      return z.NEVER;
    }
    parsed.push(hostPort);
  }
  if (parsed.length === 0) {
    context.addIssue({ code: 'custom', message: 'lists no host:port' });
    return z.NEVER;
  }
  return parsed;
});

/**
 * The Redis variables, to spread into a service's env schema (`...RedisEnvShape`), then fold with
 * `redisUrlFromEnv(env)` in its transform. Exactly one topology: REDIS_URL, or REDIS_SENTINELS with
 * REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES; none set means DEFAULT_REDIS_URL.
 */
export const RedisEnvShape = {
  /** One Redis: redis://[user:password@]host:port (rediss:// for TLS). Also takes the folded redis-sentinel:// and redis-cluster:// forms. */
  REDIS_URL: z
    .string()
    .refine(
      (url) => REDIS_URL_SCHEMES.some((scheme) => url.startsWith(`${scheme}//`)) && tryParse(url),
      'must be redis://[user:password@]host:port (or rediss://); for Sentinel or Cluster set REDIS_SENTINELS or REDIS_CLUSTER_NODES',
    )
    .optional(),
  /** Sentinel: the sentinels as host:port,host:port; needs REDIS_SENTINEL_MASTER. */
  REDIS_SENTINELS: HostPortList.optional(),
  /** Sentinel: the name of the monitored master (`sentinel monitor <name> ...`). */
  REDIS_SENTINEL_MASTER: z.string().regex(MASTER_NAME, 'letters, digits, ".", "_" and "-" only').optional(),
  /** Cluster: some of its nodes as host:port,host:port (the rest are discovered). */
  REDIS_CLUSTER_NODES: HostPortList.optional(),
  /** An ACL user for the Redis data nodes, when REDIS_URL does not carry one. */
  REDIS_USERNAME: z.string().optional(),
  /** Its password (or the `requirepass` password). A secret: never logged, never given to an agent. */
  REDIS_PASSWORD: z.string().optional(),
};

export interface RedisEnv {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: RedisHostPort[] | undefined;
  REDIS_SENTINEL_MASTER?: string | undefined;
  REDIS_CLUSTER_NODES?: RedisHostPort[] | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
}

function invalid(field: string, message: string): AppError {
  return new AppError('CONFIG_INVALID', `invalid configuration: ${field}: ${message}`, {
    details: { fields: [field] },
  });
}

function credentials(username: string | undefined, password: string | undefined): string {
  if (username === undefined && password === undefined) return '';
  return `${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@`;
}

function hostList(list: RedisHostPort[]): string {
  return list.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
}

/**
 * Folds the Redis variables into the one url string the services pass around.
 * @throws AppError CONFIG_INVALID naming the variable at fault (two topologies at once, a
 *   sentinel list without its master name, or the reverse)
 */
export function redisUrlFromEnv(env: RedisEnv): string {
  const given = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (given.length > 1) throw invalid(given[1]!, `set only one of ${given.join(', ')} (one Redis topology)`);
  if (env.REDIS_SENTINEL_MASTER !== undefined && env.REDIS_SENTINELS === undefined)
    throw invalid('REDIS_SENTINEL_MASTER', 'needs REDIS_SENTINELS (the sentinels, host:port,...)');
  const auth = credentials(env.REDIS_USERNAME, env.REDIS_PASSWORD);
  if (env.REDIS_SENTINELS !== undefined) {
    if (env.REDIS_SENTINEL_MASTER === undefined)
      throw invalid('REDIS_SENTINEL_MASTER', 'required with REDIS_SENTINELS (the monitored master name)');
    return `redis-sentinel://${auth}${hostList(env.REDIS_SENTINELS)}/${env.REDIS_SENTINEL_MASTER}`;
  }
  if (env.REDIS_CLUSTER_NODES !== undefined)
    return `redis-cluster://${auth}${hostList(env.REDIS_CLUSTER_NODES)}`;
  const url = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  // REDIS_USERNAME / REDIS_PASSWORD fill in a URL without credentials of its own.
  if (auth === '' || /^[a-z-]+:\/\/[^/]*@/i.test(url)) return url;
  return url.replace('://', `://${auth}`);
}

function tryParse(url: string): boolean {
  try {
    parseRedisUrl(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * @throws AppError CONFIG_INVALID when the string is none of the forms of RedisTarget
 */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = /^([a-z-]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(url);
    } catch {
      throw invalid('REDIS_URL', 'is not a URL');
    }
    return { kind: 'standalone', url };
  }
  if (scheme !== 'redis-sentinel' && scheme !== 'redis-cluster')
    throw invalid(
      'REDIS_URL',
      `unknown scheme ${scheme ?? '(none)'}: use redis://, rediss://, redis-sentinel:// or redis-cluster://`,
    );
  const rest = url.slice(scheme.length + 3);
  const at = rest.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : rest.slice(0, at);
  const afterAuth = at === -1 ? rest : rest.slice(at + 1);
  const slash = afterAuth.indexOf('/');
  const hostsText = slash === -1 ? afterAuth : afterAuth.slice(0, slash);
  const path = slash === -1 ? '' : afterAuth.slice(slash + 1);
  const hosts = hostsText.split(',').map(parseHostPort);
  if (hosts.length === 0 || hosts.some((hostPort) => hostPort === undefined))
    throw invalid('REDIS_URL', `${scheme}:// needs host:port,host:port`);
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const rawUser = colon === -1 ? userInfo : userInfo.slice(0, colon);
    username = rawUser === '' ? undefined : decodeURIComponent(rawUser);
    password = colon === -1 ? undefined : decodeURIComponent(userInfo.slice(colon + 1));
  }
  const auth = {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
  if (scheme === 'redis-sentinel') {
    if (!MASTER_NAME.test(path))
      throw invalid('REDIS_URL', 'redis-sentinel:// needs /<masterName> after the hosts');
    return { kind: 'sentinel', sentinels: hosts as RedisHostPort[], masterName: path, ...auth };
  }
  if (path !== '') throw invalid('REDIS_URL', 'redis-cluster:// takes no path (a cluster has no databases)');
  return { kind: 'cluster', nodes: hosts as RedisHostPort[], ...auth };
}
