import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { closeRedis, createRedisConnection } from '@claudine/store';
import {
  createGitRepository,
  createTempDir,
  startRedis,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * A secured cluster, from the built CLI: a coordinator that wants tokens, a worker that reaches
 * Redis as the ACL user docs/operations.md prescribes, and whose environment is full of secrets
 * that the agent (which prints its whole environment) must never see. Then `--token` and
 * `claudine audit`.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');
const AGENT = path.join(__dirname, 'fixtures', 'agent-prints-env.sh');
const OPERATIONS_DOC = path.resolve(__dirname, '../../../docs/operations.md');

const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef0',
  root: 'root-token-0123456789abcdef',
} as const;
const API_TOKENS = JSON.stringify([
  { name: 'alice', tenant: 'team-a', token: TOKENS.alice },
  { name: 'bob', tenant: 'team-b', token: TOKENS.bob },
  { name: 'root', tenant: 'ops', token: TOKENS.root, admin: true },
]);
const WORKER_PASSWORD = 'worker-password-7f3a9c2e1b';

/** The secrets put in the worker's environment, by name. */
const SECRETS: Record<string, string> = {
  REDIS_PASSWORD: 'redis-password-4d8e2a6c9f',
  CLAUDINE_TOKEN: 'claudine-token-1a2b3c4d5e6f',
  CLAUDINE_API_TOKENS: API_TOKENS,
  CLAUDINE_TLS_KEY_FILE: '/etc/claudine/secret-server.key',
  CLAUDINE_TLS_CLIENT_KEY_FILE: '/etc/claudine/secret-client.key',
  REDISCLI_AUTH: 'rediscli-auth-5e6f7a8b9c',
};

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `ACL SETUSER` line of docs/operations.md, for this test's prefix and password. */
async function documentedWorkerAcl(prefix: string): Promise<string[]> {
  const doc = await readFile(OPERATIONS_DOC, 'utf8');
  const line = /<!-- worker-acl[^>]*-->\s*```\s*\n(ACL SETUSER [^\n]+)\n```/.exec(doc)?.[1];
  if (!line) throw new Error('docs/operations.md has no worker-acl block');
  return line.replace('CHANGE-ME', WORKER_PASSWORD).replaceAll('{claudine}', prefix).split(/\s+/).slice(1);
}

describe('a secured cluster, from the CLI', () => {
  let redis: RedisHarness;
  let repo: GitFixture;
  let dataDir: TempDir;
  let dumps: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let workerRedisUrl: string;
  const savedEnv: Record<string, string | undefined> = {};

  function claudine(...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, '--address', coordinator.grpcAddress, ...args],
        // No CLAUDINE_TOKEN of the test process reaches the CLI unless a test sets it.
        { cwd: repo.path, timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
        (error, stdout, stderr) => {
          const code = error && typeof error.code === 'number' ? error.code : error ? 99 : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository({ files: { 'README.md': '# secured\n' } });
    dataDir = await createTempDir('claudine-cli-secured-');
    dumps = await createTempDir('claudine-env-dumps-');
    const admin = createRedisConnection({ url: redis.url, role: 'consumer' });
    try {
      await admin.call('ACL', ...(await documentedWorkerAcl(redis.keyPrefix)));
      await admin.call('ACL', 'LOG', 'RESET');
    } finally {
      await closeRedis(admin);
    }
    const { port } = new URL(redis.url);
    workerRedisUrl = `redis://claudine-worker:${WORKER_PASSWORD}@127.0.0.1:${port}`;
    coordinator = await startTestCoordinator(redis, { CLAUDINE_API_TOKENS: API_TOKENS });
    // The worker process's own environment: where the agent's environment is built from.
    for (const [name, value] of Object.entries({ ...SECRETS, REDIS_URL: workerRedisUrl })) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    worker = await startTestWorker(
      { ...redis, url: workerRedisUrl },
      {
        id: 'secured-worker',
        dataDir: dataDir.path,
        agent: AGENT,
        // An operator allowlisting too much: the deny list still wins.
        env: { CLAUDINE_AGENT_ENV_ALLOW: 'CLAUDINE_*,REDIS*' },
      },
    );
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await coordinator?.close();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await dumps?.remove();
    await dataDir?.remove();
    await repo?.remove();
    await redis?.stop();
  }, 60_000);

  it('refuses a command without a token, or with a wrong one (exit 6)', async () => {
    const none = await claudine('status');
    expect(none.code).toBe(6);
    expect(none.stderr).toMatch(/bearer token.*--token or CLAUDINE_TOKEN/);
    const wrong = await claudine('--token', 'wrong-token-wrong-token', 'status');
    expect(wrong.code).toBe(6);
    expect(wrong.stderr).toContain('the bearer token is not valid');
  });

  it("runs a task on a worker that uses the documented Redis ACL user; the agent sees none of the worker's secrets", async () => {
    const dump = path.join(dumps.path, 'agent-env.txt');
    const run = await claudine('--token', TOKENS.alice, 'delegate', `dump:${dump}`, '--wait', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const task = JSON.parse(run.stdout) as { id: string; state: string; tenant: string };
    expect(task).toMatchObject({ state: 'completed', tenant: 'team-a' });

    const printed = await readFile(dump, 'utf8');
    // The agent did print an environment.
    expect(printed).toMatch(/^PATH=/m);
    const secretValues = [...Object.values(SECRETS), WORKER_PASSWORD, workerRedisUrl];
    for (const value of secretValues) expect(printed).not.toContain(value);
    for (const name of [...Object.keys(SECRETS), 'REDIS_URL'])
      expect(printed).not.toMatch(new RegExp(`^${name}=`, 'm'));
    // Nor do its logs (the agent printed its environment on its output as well).
    const logs = await claudine('--token', TOKENS.alice, 'logs', task.id, '--json');
    expect(logs.code).toBe(0);
    for (const value of secretValues) expect(logs.stdout).not.toContain(value);

    // The worker did connect as that user, and Redis refused it nothing: the documented ACL is
    // enough. And it is narrow: no key outside the prefix, nothing dangerous.
    const admin = createRedisConnection({ url: redis.url, role: 'consumer' });
    const asWorker = createRedisConnection({ url: workerRedisUrl, role: 'consumer' });
    try {
      expect(String(await admin.call('CLIENT', 'LIST'))).toContain('user=claudine-worker');
      const refused = (await admin.call('ACL', 'LOG')) as unknown[];
      expect(refused).toEqual([]);
      await expect(asWorker.get('another-app:secret')).rejects.toThrow(/NOPERM/);
      await expect(asWorker.call('KEYS', '*')).rejects.toThrow(/NOPERM/);
      await expect(asWorker.call('CONFIG', 'GET', 'requirepass')).rejects.toThrow(/NOPERM/);
      await expect(asWorker.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
      await admin.call('ACL', 'LOG', 'RESET');
    } finally {
      await closeRedis(asWorker);
      await closeRedis(admin);
    }

    // Another tenant's token does not see it (exit 4: not found); an admin's does.
    const bob = await claudine('--token', TOKENS.bob, 'status', task.id);
    expect(bob.code).toBe(4);
    expect(bob.stderr).toContain('does not exist');
    const root = await claudine('--token', TOKENS.root, 'status', task.id, '--json');
    expect(root.code).toBe(0);
    expect(JSON.parse(root.stdout)).toMatchObject({ id: task.id, tenant: 'team-a' });

    // The audit trail: the admin sees Alice's delegation and Bob's refused cancel.
    expect((await claudine('--token', TOKENS.bob, 'cancel', task.id)).code).toBe(4);
    const audit = await claudine('--token', TOKENS.root, 'audit', '--since', '10m', '--json');
    expect(audit.code).toBe(0);
    const entries = JSON.parse(audit.stdout) as {
      tokenName: string;
      tenant: string;
      method: string;
      target: string;
      outcome: string;
      peer: string;
    }[];
    expect(entries.filter((entry) => entry.target === task.id)).toEqual([
      expect.objectContaining({ tokenName: 'bob', method: 'TaskService/Cancel', outcome: 'TASK_NOT_FOUND' }),
      expect.objectContaining({
        tokenName: 'alice',
        tenant: 'team-a',
        method: 'TaskService/Delegate',
        outcome: 'OK',
      }),
    ]);
    expect(entries[0]?.peer).toMatch(/127\.0\.0\.1/);
    // As text, one line each; Bob reads only his own tenant's.
    const text = await claudine('--token', TOKENS.root, 'audit', '--limit', '1');
    expect(text.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^\d{4}-\d{2}-\d{2}T\S+Z {2}bob@team-b {2}TaskService\/Cancel {2}task-\S+ {2}TASK_NOT_FOUND {2}\S+$/,
      ),
    ]);
    const ofBob = JSON.parse((await claudine('--token', TOKENS.bob, 'audit', '--json')).stdout) as {
      tenant: string;
    }[];
    expect(ofBob.length).toBeGreaterThan(0);
    expect(ofBob.every((entry) => entry.tenant === 'team-b')).toBe(true);
    // Flags are checked before anything is sent.
    const bad = await claudine('--token', TOKENS.root, 'audit', '--limit', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--limit: must be between 1 and 1000');
  }, 60_000);
});
