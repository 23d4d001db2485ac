import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '@claudine/observability';
import {
  loadClaudineApi,
  type ClusterServiceClient,
  type ProtoTaskSpec,
  type ScheduleServiceClient,
  type TaskServiceClient,
} from '@claudine/proto';
import {
  createGitRepository,
  createTlsFixture,
  startRedis,
  type GitFixture,
  type RedisHarness,
  type TlsFixture,
} from '@claudine/testing';
import { loadConfig } from '../src/config';
import { CoordinatorService } from '../src/coordinator-service';

/**
 * The secured wire over real gRPC and a real Redis: bearer tokens, tenants that see only their own
 * work, the audit trail, the HTTP /metrics token, and TLS with and without client certificates.
 */

const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef0',
  root: 'root-token-0123456789abcdef',
} as const;

const API_TOKENS = JSON.stringify([
  { name: 'alice', tenant: 'team-a', token: TOKENS.alice },
  // The hash form: what a real file should hold.
  {
    name: 'bob',
    tenant: 'team-b',
    token_sha256: createHash('sha256').update(TOKENS.bob).digest('hex'),
  },
  { name: 'root', tenant: 'ops', token: TOKENS.root, admin: true },
]);

/** A generated client method's request and response types (from its last overload). */
type Signature<M> = M extends (argument: infer Req, callback: grpc.requestCallback<infer Res>) => unknown
  ? { request: Req; response: Res }
  : never;

/** One unary call, with `authorization: Bearer <token>` when a token is given. */
function call<M extends (argument: never, callback: never) => unknown>(
  client: grpc.Client,
  method: M,
  request: Signature<M>['request'],
  token?: string,
): Promise<Signature<M>['response']> {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  const invoke = method as unknown as (
    this: grpc.Client,
    request: unknown,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<Signature<M>['response']>,
  ) => unknown;
  return new Promise((resolve, reject) =>
    invoke.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

/** The gRPC status code of a failed call. */
async function codeOf(promise: Promise<unknown>): Promise<grpc.status | 'OK'> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
}

const silent = createLogger({ name: 'security-test', level: 'silent' });

describe('a coordinator with API tokens', () => {
  let redis: RedisHarness;
  let repo: GitFixture;
  let coordinator: CoordinatorService;
  let tasks: TaskServiceClient;
  let cluster: ClusterServiceClient;
  let schedules: ScheduleServiceClient;

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository();
    coordinator = await CoordinatorService.create(
      loadConfig({
        REDIS_URL: redis.url,
        CLAUDINE_KEY_PREFIX: redis.keyPrefix,
        CLAUDINE_GRPC_PORT: '0',
        CLAUDINE_API_TOKENS: API_TOKENS,
        LOG_LEVEL: 'silent',
      }),
      silent,
    );
    const { proto } = loadClaudineApi();
    const insecure = grpc.credentials.createInsecure();
    tasks = new proto.claudine.v1.TaskService(coordinator.grpcAddress, insecure);
    cluster = new proto.claudine.v1.ClusterService(coordinator.grpcAddress, insecure);
    schedules = new proto.claudine.v1.ScheduleService(coordinator.grpcAddress, insecure);
  });

  afterAll(async () => {
    tasks?.close();
    cluster?.close();
    schedules?.close();
    await coordinator?.close();
    await repo?.remove();
    await redis?.stop();
  });

  const spec = (prompt: string, more: Partial<ProtoTaskSpec> = {}): ProtoTaskSpec => ({
    prompt,
    repository: repo.path,
    ...more,
  });
  const delegate = async (token: string, prompt: string, more: Partial<ProtoTaskSpec> = {}) => {
    const response = await call(tasks, tasks.Delegate, { spec: spec(prompt, more) }, token);
    return response.task!;
  };
  const listIds = async (
    token: string,
    request: { pageSize?: number; pageToken?: string; tenant?: string } = {},
  ) => call(tasks, tasks.List, { pageSize: 500, ...request }, token);

  it('refuses a call without a token, or with a wrong one, as UNAUTHENTICATED', async () => {
    expect(await codeOf(call(tasks, tasks.List, {}))).toBe(grpc.status.UNAUTHENTICATED);
    expect(await codeOf(call(tasks, tasks.List, {}, 'not-a-token-of-ours-at-all'))).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    expect(await codeOf(call(tasks, tasks.Delegate, { spec: spec('sneak in') }))).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    expect(await codeOf(call(cluster, cluster.ListWorkers, {}))).toBe(grpc.status.UNAUTHENTICATED);
    // A scheme other than Bearer is no token either.
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Basic ${TOKENS.alice}`);
    const basic = new Promise((resolve, reject) =>
      tasks.List({}, metadata, (error, response) => (error ? reject(error) : resolve(response))),
    );
    expect(await codeOf(basic)).toBe(grpc.status.UNAUTHENTICATED);
    // The streaming call too.
    const stream = tasks.Watch({ taskId: 'task-00000000-0000-4000-8000-000000000000' });
    const status = await new Promise<grpc.status>((resolve) => {
      stream.on('error', (error: grpc.ServiceError) => resolve(error.code));
      stream.on('data', () => undefined);
    });
    expect(status).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("keeps each tenant to its own tasks; another tenant's task is NOT_FOUND; an admin sees all", async () => {
    const ofAlice = await delegate(TOKENS.alice, 'alice works');
    const ofBob = await delegate(TOKENS.bob, 'bob works');
    expect(ofAlice.tenant).toBe('team-a');
    expect(ofBob.tenant).toBe('team-b');

    // Bob cannot read, follow, change or build on Alice's task, and learns nothing of it.
    const missing = 'task-00000000-0000-4000-8000-000000000000';
    for (const id of [ofAlice.id, missing]) {
      expect(await codeOf(call(tasks, tasks.Get, { taskId: id }, TOKENS.bob))).toBe(grpc.status.NOT_FOUND);
      expect(await codeOf(call(tasks, tasks.Cancel, { taskId: id }, TOKENS.bob))).toBe(grpc.status.NOT_FOUND);
      expect(await codeOf(call(tasks, tasks.Retry, { taskId: id }, TOKENS.bob))).toBe(grpc.status.NOT_FOUND);
      expect(await codeOf(call(tasks, tasks.Resume, { taskId: id }, TOKENS.bob))).toBe(grpc.status.NOT_FOUND);
      expect(await codeOf(call(tasks, tasks.GetPatch, { taskId: id }, TOKENS.bob))).toBe(
        grpc.status.NOT_FOUND,
      );
      expect(
        await codeOf(call(tasks, tasks.AddDependencies, { taskId: id, dependsOn: [ofBob.id] }, TOKENS.bob)),
      ).toBe(grpc.status.NOT_FOUND);
    }
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${TOKENS.bob}`);
    const watch = tasks.Watch({ taskId: ofAlice.id }, metadata);
    const watched = await new Promise<grpc.status>((resolve) => {
      watch.on('error', (error: grpc.ServiceError) => resolve(error.code));
      watch.on('data', () => resolve(grpc.status.OK));
    });
    expect(watched).toBe(grpc.status.NOT_FOUND);

    // Depending on, or continuing from, another tenant's task reads as an unknown task.
    const dependsOnHidden = call(
      tasks,
      tasks.Delegate,
      { spec: spec('wait', { dependsOn: [ofAlice.id] }) },
      TOKENS.bob,
    );
    const dependsOnMissing = call(
      tasks,
      tasks.Delegate,
      { spec: spec('wait', { dependsOn: [missing] }) },
      TOKENS.bob,
    );
    const hiddenError = (await dependsOnHidden.catch(
      (error: grpc.ServiceError) => error,
    )) as grpc.ServiceError;
    const missingError = (await dependsOnMissing.catch(
      (error: grpc.ServiceError) => error,
    )) as grpc.ServiceError;
    expect(hiddenError.code).toBe(missingError.code);
    expect(hiddenError.details.replace(ofAlice.id, 'X')).toBe(missingError.details.replace(missing, 'X'));
    expect(
      await codeOf(
        call(tasks, tasks.Delegate, { spec: spec('go on', { continueFrom: ofAlice.id }) }, TOKENS.bob),
      ),
    ).toBe(grpc.status.INVALID_ARGUMENT);
    // Alice may depend on her own.
    expect(
      await codeOf(
        call(tasks, tasks.Delegate, { spec: spec('after', { dependsOn: [ofAlice.id] }) }, TOKENS.alice),
      ),
    ).toBe('OK');

    const bobSees = (await listIds(TOKENS.bob)).tasks.map((task) => task.id);
    expect(bobSees).toContain(ofBob.id);
    expect(bobSees).not.toContain(ofAlice.id);
    // A tenant's token cannot widen its list with `tenant`.
    expect((await listIds(TOKENS.bob, { tenant: 'team-a' })).tasks.map((task) => task.id)).not.toContain(
      ofAlice.id,
    );

    const rootSees = (await listIds(TOKENS.root)).tasks.map((task) => task.id);
    expect(rootSees).toEqual(expect.arrayContaining([ofAlice.id, ofBob.id]));
    const onlyA = (await listIds(TOKENS.root, { tenant: 'team-a' })).tasks;
    expect(onlyA.map((task) => task.id)).toContain(ofAlice.id);
    expect(onlyA.every((task) => task.tenant === 'team-a')).toBe(true);
    expect(await call(tasks, tasks.Get, { taskId: ofAlice.id }, TOKENS.root)).toMatchObject({
      id: ofAlice.id,
    });

    // Alice can cancel her own; Bob's cancel left it alone.
    const cancelled = await call(tasks, tasks.Cancel, { taskId: ofAlice.id, reason: 'done' }, TOKENS.alice);
    expect(cancelled.task?.state).toBe('TASK_STATE_CANCELLED');
    // An admin acts on any tenant's task, and a retry stays the task's tenant's.
    const retried = await call(tasks, tasks.Retry, { taskId: ofAlice.id }, TOKENS.root);
    expect(retried.task?.tenant).toBe('team-a');
  });

  it("pages exactly within a tenant whose tasks are spread among another's", async () => {
    const tenantCMine: string[] = [];
    await call(tasks, tasks.Delegate, { spec: spec('noise first') }, TOKENS.bob);
    for (let i = 0; i < 5; i++) {
      tenantCMine.push((await delegate(TOKENS.alice, `page ${i}`)).id);
      await delegate(TOKENS.bob, `noise ${i}`);
      await delegate(TOKENS.bob, `more noise ${i}`);
    }
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await listIds(TOKENS.alice, { pageSize: 2, pageToken });
      expect(page.tasks.length).toBeLessThanOrEqual(2);
      expect(page.tasks.every((task) => task.tenant === 'team-a')).toBe(true);
      seen.push(...page.tasks.map((task) => task.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '' && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    const everyOfAlice = (await listIds(TOKENS.alice)).tasks.map((task) => task.id);
    expect(seen).toEqual(everyOfAlice);
    expect(seen).toEqual(expect.arrayContaining(tenantCMine));
  });

  it("keeps schedules to their tenant, and a schedule's runs are its tenant's", async () => {
    const created = await call(
      schedules,
      schedules.ScheduleTask,
      { template: spec('nightly'), everyMs: 3_600_000 },
      TOKENS.alice,
    );
    const id = created.schedule!.id;
    expect(created.schedule?.tenant).toBe('team-a');
    expect(await codeOf(call(schedules, schedules.GetSchedule, { scheduleId: id }, TOKENS.bob))).toBe(
      grpc.status.NOT_FOUND,
    );
    expect(await codeOf(call(schedules, schedules.PauseSchedule, { scheduleId: id }, TOKENS.bob))).toBe(
      grpc.status.NOT_FOUND,
    );
    expect(await codeOf(call(schedules, schedules.CancelSchedule, { scheduleId: id }, TOKENS.bob))).toBe(
      grpc.status.NOT_FOUND,
    );
    const bobList = await call(schedules, schedules.ListSchedules, {}, TOKENS.bob);
    expect(bobList.schedules.map((schedule) => schedule.id)).not.toContain(id);
    const aliceList = await call(schedules, schedules.ListSchedules, {}, TOKENS.alice);
    expect(aliceList.schedules.map((schedule) => schedule.id)).toContain(id);
    const rootList = await call(schedules, schedules.ListSchedules, { tenant: 'team-b' }, TOKENS.root);
    expect(rootList.schedules.map((schedule) => schedule.id)).not.toContain(id);
    // Another tenant's schedule cannot be waited on either.
    expect(
      await codeOf(
        call(
          schedules,
          schedules.ScheduleTask,
          { template: spec('after hers'), everyMs: 3_600_000, afterSchedule: id },
          TOKENS.bob,
        ),
      ),
    ).toBe(grpc.status.INVALID_ARGUMENT);

    // A run (fired now) is a task of the schedule's tenant.
    await coordinator.schedules.fire(id, Date.now() + 3_600_000, Date.now() + 3_600_000);
    const fired = await coordinator.schedules.get(id);
    const runTask = fired.history.find((run) => run.taskId)?.taskId;
    expect(runTask).toBeDefined();
    expect((await call(tasks, tasks.Get, { taskId: runTask! }, TOKENS.alice)).tenant).toBe('team-a');
    expect(await codeOf(call(tasks, tasks.Get, { taskId: runTask! }, TOKENS.bob))).toBe(
      grpc.status.NOT_FOUND,
    );
    await call(schedules, schedules.CancelSchedule, { scheduleId: id }, TOKENS.alice);
  });

  it('keeps cluster-wide actions to admin tokens', async () => {
    expect(await codeOf(call(cluster, cluster.CollectWorktrees, { dryRun: true }, TOKENS.alice))).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    expect(await codeOf(call(cluster, cluster.ListWorktrees, {}, TOKENS.alice))).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    expect(await codeOf(call(cluster, cluster.ListWorktrees, {}, TOKENS.root))).toBe('OK');
    expect(await codeOf(call(cluster, cluster.ListWorkers, {}, TOKENS.alice))).toBe('OK');
  });

  it('audits every mutating call: who, what, outcome, when and from where', async () => {
    const before = Date.now();
    const task = await delegate(TOKENS.alice, 'audited');
    await codeOf(call(tasks, tasks.Cancel, { taskId: task.id }, TOKENS.bob));
    await call(tasks, tasks.Cancel, { taskId: task.id }, TOKENS.alice);
    // Reads are not audited.
    await call(tasks, tasks.Get, { taskId: task.id }, TOKENS.alice);

    // Written before each call was answered: there to read at once.
    const { entries: all } = await call(
      cluster,
      cluster.ListAudit,
      { sinceMs: before, limit: 100 },
      TOKENS.root,
    );
    const about = all.filter((entry) => entry.target === task.id);
    // Newest first.
    expect(about.map((entry) => [entry.tokenName, entry.tenant, entry.method, entry.outcome])).toEqual([
      ['alice', 'team-a', 'TaskService/Cancel', 'OK'],
      ['bob', 'team-b', 'TaskService/Cancel', 'TASK_NOT_FOUND'],
      ['alice', 'team-a', 'TaskService/Delegate', 'OK'],
    ]);
    for (const entry of about) {
      expect(entry.peer).toMatch(/127\.0\.0\.1:\d+/);
      expect(Number(entry.timeMs)).toBeGreaterThanOrEqual(before - 1_000);
    }
    expect(all.some((entry) => entry.method === 'TaskService/Get')).toBe(false);

    // A tenant reads its own entries only, whatever it asks for.
    const ofBob = await call(cluster, cluster.ListAudit, { sinceMs: before, tenant: 'team-a' }, TOKENS.bob);
    expect(ofBob.entries.length).toBeGreaterThan(0);
    expect(ofBob.entries.every((entry) => entry.tenant === 'team-b')).toBe(true);
    const onlyA = await call(cluster, cluster.ListAudit, { sinceMs: before, tenant: 'team-a' }, TOKENS.root);
    expect(onlyA.entries.every((entry) => entry.tenant === 'team-a')).toBe(true);
    expect(await codeOf(call(cluster, cluster.ListAudit, { limit: 5_000 }, TOKENS.root))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
  });

  it('asks for the token on /metrics, and leaves the probes open', async () => {
    const base = coordinator.metricsUrl.replace('/metrics', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } }))
        .status,
    ).toBe(401);
    const allowed = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKENS.bob}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('claudine_grpc_requests_total');
  });
});

describe('token configuration', () => {
  it('names the entry and field at fault', async () => {
    const base = { REDIS_URL: 'redis://127.0.0.1:1', CLAUDINE_GRPC_PORT: '0', LOG_LEVEL: 'silent' };
    await expect(
      CoordinatorService.create(
        loadConfig({
          ...base,
          CLAUDINE_API_TOKENS: JSON.stringify([{ name: 'x', tenant: 'a b', token: 'y'.repeat(20) }]),
        }),
        silent,
      ),
    ).rejects.toThrow(/CLAUDINE_API_TOKENS\.0\.tenant: /);
    await expect(
      CoordinatorService.create(
        loadConfig({ ...base, CLAUDINE_API_TOKENS: JSON.stringify([{ name: 'x', tenant: 'a' }]) }),
        silent,
      ),
    ).rejects.toThrow(/CLAUDINE_API_TOKENS\.0\.token: give exactly one of token and token_sha256/);
    await expect(
      CoordinatorService.create(
        loadConfig({ ...base, CLAUDINE_API_TOKENS_FILE: '/nonexistent/tokens.json' }),
        silent,
      ),
    ).rejects.toThrow(/CLAUDINE_API_TOKENS_FILE: cannot read/);
    expect(() => loadConfig({ ...base, CLAUDINE_TLS_CERT_FILE: '/x.crt' })).toThrow(/CLAUDINE_TLS_KEY_FILE/);
  });
});

describe('a coordinator with TLS', () => {
  let redis: RedisHarness;
  let tls: TlsFixture;

  beforeAll(async () => {
    redis = await startRedis();
    tls = await createTlsFixture();
  });

  afterAll(async () => {
    await tls?.remove();
    await redis?.stop();
  });

  async function withCoordinator(env: Record<string, string>, body: (address: string) => Promise<void>) {
    const coordinator = await CoordinatorService.create(
      loadConfig({
        REDIS_URL: redis.url,
        CLAUDINE_KEY_PREFIX: redis.keyPrefix,
        CLAUDINE_GRPC_PORT: '0',
        CLAUDINE_TLS_CERT_FILE: tls.serverCert,
        CLAUDINE_TLS_KEY_FILE: tls.serverKey,
        LOG_LEVEL: 'silent',
        ...env,
      }),
      silent,
    );
    try {
      await body(coordinator.grpcAddress);
    } finally {
      await coordinator.close();
    }
  }

  /** One List call over these credentials; its status. */
  async function listWith(
    address: string,
    credentials: grpc.ChannelCredentials,
  ): Promise<grpc.status | 'OK'> {
    const { proto } = loadClaudineApi();
    const client = new proto.claudine.v1.TaskService(address, credentials);
    try {
      return await codeOf(
        new Promise((resolve, reject) =>
          client.List({}, { deadline: Date.now() + 10_000 }, (error, response) =>
            error ? reject(error) : resolve(response),
          ),
        ),
      );
    } finally {
      client.close();
    }
  }

  const read = (file: string): Buffer => readFileSync(file);

  it('serves TLS clients that trust its CA, and no plaintext client', async () => {
    await withCoordinator({}, async (address) => {
      expect(await listWith(address, grpc.credentials.createSsl(read(tls.caCert)))).toBe('OK');
      expect(await listWith(address, grpc.credentials.createInsecure())).toBe(grpc.status.UNAVAILABLE);
      // A client that does not trust the server's CA refuses it.
      expect(await listWith(address, grpc.credentials.createSsl(read(tls.strangerCert)))).toBe(
        grpc.status.UNAVAILABLE,
      );
    });
  });

  it('requires a client certificate from its client CA when one is configured', async () => {
    await withCoordinator({ CLAUDINE_TLS_CLIENT_CA_FILE: tls.caCert }, async (address) => {
      expect(
        await listWith(
          address,
          grpc.credentials.createSsl(read(tls.caCert), read(tls.clientKey), read(tls.clientCert)),
        ),
      ).toBe('OK');
      expect(await listWith(address, grpc.credentials.createSsl(read(tls.caCert)))).toBe(
        grpc.status.UNAVAILABLE,
      );
      expect(
        await listWith(
          address,
          grpc.credentials.createSsl(read(tls.caCert), read(tls.strangerKey), read(tls.strangerCert)),
        ),
      ).toBe(grpc.status.UNAVAILABLE);
    });
  });
});
