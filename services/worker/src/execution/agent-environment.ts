/**
 * The agent's environment is an allowlist: it gets what Claude Code needs to reach its model
 * and nothing else. Redis URLs, cluster tokens and every CLAUDINE_* variable stay out.
 *
 * Entries are exact names, or prefixes ending in `*`.
 */
export const DEFAULT_AGENT_ENV_ALLOWLIST: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_*',
  'TZ',
  'TMPDIR',
  'TERM',
  // Anthropic API access and model selection.
  'ANTHROPIC_*',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_SKIP_BEDROCK_AUTH',
  'CLAUDE_CODE_SKIP_VERTEX_AUTH',
  'CLAUDE_CODE_MAX_OUTPUT_TOKENS',
  // Bedrock and Vertex credentials and regions.
  'AWS_*',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'CLOUD_ML_REGION',
  'VERTEX_REGION_*',
  // Proxies and certificates.
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
];

/**
 * Never passed, whatever the allowlist says (`*`, `CLAUDINE_*`, `REDIS*` included): they would leak
 * the cluster's secrets (the Redis URL and password, REDISCLI_AUTH, API tokens, TLS key paths) or
 * confuse the CLI.
 */
const ALWAYS_DENIED = [/^CLAUDINE_/, /^REDIS/, /^CLAUDECODE$/];

/** The secret values in the worker's environment: no variable carrying one reaches the agent. */
function secretValues(source: NodeJS.ProcessEnv): string[] {
  const secrets = [source.REDIS_PASSWORD, source.REDISCLI_AUTH, source.CLAUDINE_TOKEN];
  for (const name of ['REDIS_URL', 'REDIS_SENTINEL_URL']) {
    try {
      const password = source[name] ? decodeURIComponent(new URL(source[name]).password) : '';
      if (password) secrets.push(password);
    } catch {
      // Not a URL: nothing to take from it.
    }
  }
  // Too short a value would match by chance; a real secret is longer.
  return secrets.filter((value): value is string => value !== undefined && value.length >= 6);
}

/**
 * Claude Code's own variables (CLAUDE_CODE_ENTRYPOINT, CLAUDE_CODE_SSE_PORT, ...) make a nested
 * CLI believe it runs inside another session: they pass only when named exactly, never by a prefix.
 */
const EXACT_NAME_ONLY = /^CLAUDE_CODE_/;

function matches(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

export interface AgentEnvironmentOptions {
  /** Patterns allowed from the worker's environment. */
  allowlist: readonly string[];
  /** Variables set on purpose for every agent (they win over inherited ones). */
  fixed?: Record<string, string>;
}

/** Builds the child's environment from the worker's, keeping only allowlisted variables. */
export function buildAgentEnvironment(
  source: NodeJS.ProcessEnv,
  { allowlist, fixed = {} }: AgentEnvironmentOptions,
): Record<string, string> {
  const env: Record<string, string> = {};
  const secrets = secretValues(source);
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (ALWAYS_DENIED.some((deny) => deny.test(name))) continue;
    // A copy of a secret under another name (MY_REDIS=redis://:pw@..., allowlisted by a prefix).
    if (secrets.some((secret) => value.includes(secret))) continue;
    const allowed = EXACT_NAME_ONLY.test(name)
      ? allowlist.includes(name)
      : allowlist.some((pattern) => matches(name, pattern));
    if (allowed) env[name] = value;
  }
  return { ...env, ...fixed };
}
