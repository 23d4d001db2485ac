import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';

/**
 * A fresh key prefix per measurement, so runs (and measurements within a run) never see each
 * other's tasks or jobs. The braces are a Redis Cluster hash tag, as Claudine's own prefix.
 */
export function randomKeyPrefix(label: string): string {
  return `{bench-${label}-${randomBytes(4).toString('hex')}}`;
}

/** The one line a successful Claude Code run ends with; the worker classifies the run from it. */
export const TRIVIAL_RESULT_LINE = JSON.stringify({
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'ok',
  session_id: 's',
  num_turns: 1,
  duration_ms: 1,
  total_cost_usd: 0,
  usage: { input_tokens: 0, output_tokens: 0 },
});

/**
 * An agent that does no work: it prints a success result and exits, so what is measured is
 * Claudine's path to the agent, not the agent. It ignores the Claude Code arguments it is given.
 * @returns the script's absolute path (no spaces: the worker splits its agent command on spaces)
 */
export async function writeTrivialAgent(dir: string): Promise<string> {
  const script = path.join(dir, 'trivial-agent.sh');
  await writeFile(script, `#!/bin/sh\nprintf '%s\\n' '${TRIVIAL_RESULT_LINE}'\nexit 0\n`);
  await chmod(script, 0o755);
  if (script.includes(' ')) throw new Error(`agent script path must not contain spaces: ${script}`);
  return script;
}

/** Removes every key under a prefix, so a shared REDIS_URL is left as it was found. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  // Only `*`, `?`, `[` and `\` are special in a MATCH pattern; the prefix's braces are literal.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
