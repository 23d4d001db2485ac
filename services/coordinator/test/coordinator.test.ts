import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Redis } from 'ioredis';
import { createLogger } from '@claudine/observability';
import {
  loadClaudineApi,
  type ProtoTaskSpec,
  type TaskServiceClient,
  type ClusterServiceClient,
} from '@claudine/proto';
import { closeRedis, createKeyspace, createRedisConnection, TaskStore, type Keyspace } from '@claudine/store';
import { TaskResultSchema } from '@claudine/core';
import {
  createGitRepository,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
} from '@claudine/testing';
import { Queue } from 'bullmq';
import { loadConfig } from '../src/config';
import { CoordinatorService } from '../src/coordinator-service';

type Unary<Req, Res> = (
  request: Req,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => unknown;

function call<Req, Res>(method: Unary<Req, Res>, client: grpc.Client, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, (error, response) => (error ? reject(error) : resolve(response as Res))),
  );
}

describe('coordinator gRPC API', () => {
  let redisHarness: RedisHarness;
  let redis: Redis;
  let keys: Keyspace;
  let coordinator: CoordinatorService;
  let tasks: TaskServiceClient;
  let cluster: ClusterServiceClient;
  let repo: GitFixture;

  beforeAll(async () => {
    redisHarness = await startRedis();
    keys = createKeyspace(redisHarness.keyPrefix);
    redis = createRedisConnection({ url: redisHarness.url, role: 'consumer' });
    repo = await createGitRepository();
    const config = loadConfig({
      REDIS_URL: redisHarness.url,
      CLAUDINE_KEY_PREFIX: keys.prefix,
      CLAUDINE_GRPC_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    coordinator = await CoordinatorService.create(
      config,
      createLogger({ name: 'coordinator', level: 'silent' }),
    );
    const { proto } = loadClaudineApi();
    tasks = new proto.claudine.v1.TaskService(coordinator.grpcAddress, grpc.credentials.createInsecure());
    cluster = new proto.claudine.v1.ClusterService(
      coordinator.grpcAddress,
      grpc.credentials.createInsecure(),
    );
  });

  afterAll(async () => {
    tasks.close();
    cluster.close();
    await coordinator.close();
    await closeRedis(redis);
    await repo.remove();
    await redisHarness.stop();
  });

  const delegate = (spec: ProtoTaskSpec) => call(tasks.Delegate, tasks, { spec });
  const keyCount = async (): Promise<number> => (await redis.keys(`${keys.prefix}*`)).length;

  it('writes the task and its BullMQ job together', async () => {
    const response = await delegate({
      prompt: 'add a test',
      repository: repo.path,
      priority: 'PRIORITY_P0',
      timeoutMs: 60_000,
    });
    const task = response.task!;
    expect(task.id).toMatch(/^task-[0-9a-f-]{36}$/);
    expect(task.state).toBe('TASK_STATE_QUEUED');
    expect(task.spec).toMatchObject({
      prompt: 'add a test',
      repository: repo.path,
      priority: 'PRIORITY_P0',
      timeoutMs: 60_000,
    });

    const queue = new Queue('tasks', { connection: redis, prefix: keys.bullPrefix });
    const job = await queue.getJob(task.id);
    expect(job?.data).toEqual({ taskId: task.id });
    expect(job?.opts.priority).toBe(1);
    await queue.close();

    const fetched = await call(tasks.Get, tasks, { taskId: task.id });
    expect(fetched).toMatchObject({ id: task.id, state: 'TASK_STATE_QUEUED' });
  });

  it.each<[string, ProtoTaskSpec, RegExp]>([
    ['an empty prompt', { prompt: '', repository: '/tmp' }, /^spec\.prompt: /],
    ['an oversized prompt', { prompt: 'x'.repeat(100_001), repository: '/tmp' }, /^spec\.prompt: /],
    ['an unknown priority', { prompt: 'p', repository: '/tmp', priority: 7 as never }, /spec\.priority: /],
    ['a malformed repository URL', { prompt: 'p', repository: 'https://' }, /^spec\.repository: /],
    [
      'a timeout out of range',
      { prompt: 'p', repository: '/tmp', timeoutMs: 999_999_999 },
      /^spec\.timeoutMs: /,
    ],
    [
      'an unknown permission mode',
      { prompt: 'p', repository: '/tmp', agent: { permissionMode: 'yolo' } },
      /spec\.agent\.permissionMode/,
    ],
  ])('refuses %s with INVALID_ARGUMENT naming the field, writing nothing', async (_name, spec, message) => {
    const before = await keyCount();
    const error = await delegate(spec).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(message);
    expect(error?.metadata.get('claudine-error-code')).toEqual(['INVALID_ARGUMENT']);
    expect(await keyCount()).toBe(before);
  });

  it.each([
    ['a path that does not exist', () => ({ repository: '/nonexistent/claudine-test' }), /does not exist/],
    [
      'a directory that is not a repository',
      () => ({ repository: path.dirname(repo.path) === '/' ? '/tmp' : '/' }),
      /not a git repository/,
    ],
    [
      'a base ref the repository lacks',
      () => ({ repository: repo.path, baseRef: 'no-such-branch' }),
      /no-such-branch/,
    ],
  ])('refuses %s with FAILED_PRECONDITION before writing anything', async (_name, spec, message) => {
    const before = await keyCount();
    const error = await delegate({ prompt: 'p', ...spec() }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error?.details).toMatch(message);
    expect(await keyCount()).toBe(before);
  });

  it('answers NOT_FOUND for an unknown task and INVALID_ARGUMENT for a malformed id', async () => {
    await expect(
      call(tasks.Get, tasks, { taskId: 'task-00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    await expect(call(tasks.Get, tasks, { taskId: 'nope' })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^task_id: /),
    });
  });

  it('lists tasks newest first, by state, one page at a time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await delegate({ prompt: `list ${i}`, repository: repo.path })).task!.id);
    const first = await call(tasks.List, tasks, {
      states: ['TASK_STATE_QUEUED'],
      pageSize: 3,
      pageToken: '',
    });
    expect(first.tasks.map((t) => t.id)).toEqual(ids.slice(2).reverse());
    const second = await call(tasks.List, tasks, {
      states: ['TASK_STATE_QUEUED'],
      pageSize: 3,
      pageToken: first.nextPageToken,
    });
    expect(second.tasks.map((t) => t.id).slice(0, 2)).toEqual(ids.slice(0, 2).reverse());
    const none = await call(tasks.List, tasks, {
      states: ['TASK_STATE_COMPLETED'],
      pageSize: 10,
      pageToken: '',
    });
    expect(none.tasks).toEqual([]);
    await expect(call(tasks.List, tasks, { pageSize: 501 })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('cancels a queued task at once, and refuses to cancel it again', async () => {
    const id = (await delegate({ prompt: 'to cancel', repository: repo.path })).task!.id;
    const cancelled = await call(tasks.Cancel, tasks, { taskId: id, reason: 'not needed' });
    expect(cancelled.task).toMatchObject({ state: 'TASK_STATE_CANCELLED', cancelReason: 'not needed' });
    const queue = new Queue('tasks', { connection: redis, prefix: keys.bullPrefix });
    expect(await queue.getJob(id)).toBeUndefined();
    await queue.close();
    await expect(call(tasks.Cancel, tasks, { taskId: id, reason: '' })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining('already finished (cancelled)'),
    });
  });

  it('streams events from an offset, ending after the final state', async () => {
    const id = (await delegate({ prompt: 'watch me', repository: repo.path })).task!.id;
    const store = new TaskStore(redis, keys);
    const received: { offset: number; type: string }[] = [];
    const stream = tasks.Watch({ taskId: id, fromOffset: 0, follow: true });
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (event: { offset: number; type: string }) => {
        received.push({ offset: event.offset, type: event.type });
        // Once the queued event is seen, the task moves on; the stream must follow it live.
        if (received.length === 1) void store.cancel(id, 'done watching');
      });
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    await ended;
    expect(received).toEqual([
      { offset: 1, type: 'task.state' },
      { offset: 2, type: 'task.state' },
    ]);
    // Resuming from an offset sends only what came after it, and ends (the task is finished).
    const resumed: number[] = [];
    const again = tasks.Watch({ taskId: id, fromOffset: 1, follow: true });
    await new Promise<void>((resolve, reject) => {
      again.on('data', (event: { offset: number }) => resumed.push(event.offset));
      again.on('end', resolve);
      again.on('error', reject);
    });
    expect(resumed).toEqual([2]);
  });

  interface WatchedEvent {
    offset: number;
    timeMs: number;
    type: string;
    dataJson: string;
  }
  type WatchRequest = Parameters<TaskServiceClient['Watch']>[0];

  /** Every event of one Watch call, until it ends; rejects with its error. */
  function watchEvents(request: WatchRequest): Promise<WatchedEvent[]> {
    const received: WatchedEvent[] = [];
    const stream = tasks.Watch(request);
    return new Promise((resolve, reject) => {
      stream.on('data', (event: WatchedEvent) => received.push(event));
      stream.on('end', () => resolve(received));
      stream.on('error', reject);
    });
  }

  /** A queued task with `count` agent.text events after its first (offsets 2 to count + 1). */
  async function taskWithEvents(count: number, timeMs?: (i: number) => number): Promise<string> {
    const id = (await delegate({ prompt: 'watch options', repository: repo.path })).task!.id;
    const store = new TaskStore(redis, keys);
    for (let i = 2; i <= count + 1; i++)
      await store.appendEvents(id, [{ type: 'agent.text', data: { text: `event ${i}` } }], timeMs?.(i));
    return id;
  }

  const offsets = (events: WatchedEvent[]): number[] => events.map((e) => e.offset);
  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('Watch without follow sends the events kept so far and ends, though the task runs on', async () => {
    const id = await taskWithEvents(4);
    expect(offsets(await watchEvents({ taskId: id, fromOffset: 0, follow: false }))).toEqual(range(1, 5));
    expect(offsets(await watchEvents({ taskId: id, fromOffset: 3, follow: false }))).toEqual([4, 5]);
    expect(offsets(await watchEvents({ taskId: id, fromOffset: 5, follow: false }))).toEqual([]);
    expect((await call(tasks.Get, tasks, { taskId: id })).state).toBe('TASK_STATE_QUEUED');
  });

  it('Watch with tail starts with the last N events, with or without follow', async () => {
    const id = await taskWithEvents(9);
    expect(offsets(await watchEvents({ taskId: id, follow: false, tail: 3 }))).toEqual([8, 9, 10]);
    // tail 0 means every event; more than there are sends them all.
    expect(offsets(await watchEvents({ taskId: id, follow: false, tail: 0 }))).toEqual(range(1, 10));
    expect(offsets(await watchEvents({ taskId: id, follow: false, tail: 10_000 }))).toEqual(range(1, 10));
    // With from_offset, the later start wins.
    expect(offsets(await watchEvents({ taskId: id, fromOffset: 9, follow: false, tail: 3 }))).toEqual([10]);

    const received: WatchedEvent[] = [];
    const stream = tasks.Watch({ taskId: id, follow: true, tail: 2 });
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (event: WatchedEvent) => received.push(event));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    await waitFor(() => received.length === 2, { description: 'the last two events' });
    await new TaskStore(redis, keys).cancel(id, 'enough');
    await ended;
    expect(offsets(received)).toEqual([9, 10, 11]);
    expect(received[2]).toMatchObject({ type: 'task.state', dataJson: expect.stringContaining('cancelled') });
  });

  it('Watch with since_ms sends only the events at or after that time', async () => {
    const base = Date.now() + 60_000;
    const id = await taskWithEvents(6, (i) => base + i * 1000);
    const since = await watchEvents({ taskId: id, follow: false, sinceMs: base + 5000 });
    expect(offsets(since)).toEqual([5, 6, 7]);
    expect(since.every((e) => e.timeMs >= base + 5000)).toBe(true);
    // Combined with tail: the last 4, of which those since the time.
    expect(offsets(await watchEvents({ taskId: id, follow: false, tail: 4, sinceMs: base + 6000 }))).toEqual([
      6, 7,
    ]);
    expect(offsets(await watchEvents({ taskId: id, follow: false, sinceMs: base + 60_000 }))).toEqual([]);
  });

  it('refuses bad Watch requests before sending anything, leaving Redis unchanged', async () => {
    const id = await taskWithEvents(2);
    const snapshot = async () => ({
      keys: await keyCount(),
      task: await redis.hgetall(keys.task(id)),
      events: await redis.xlen(keys.events(id)),
    });
    const before = await snapshot();
    const refusal = (request: WatchRequest) =>
      watchEvents(request).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );

    const past = await refusal({ taskId: id, fromOffset: 4, follow: true });
    expect(past).toMatchObject({
      code: grpc.status.OUT_OF_RANGE,
      details: expect.stringMatching(/^from_offset: 4 is past the end .*last offset is 3/),
    });
    expect(past?.metadata.get('claudine-error-code')).toEqual(['OUT_OF_RANGE']);
    // Its last offset itself is fine: nothing more yet.
    expect(await watchEvents({ taskId: id, fromOffset: 3, follow: false })).toEqual([]);

    const tooLong = await refusal({ taskId: id, follow: false, tail: 10_001 });
    expect(tooLong).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'tail: must be between 1 and 10000',
    });
    await expect(refusal({ taskId: id, fromOffset: -1, follow: false })).resolves.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^from_offset: /),
    });
    await expect(refusal({ taskId: id, follow: false, sinceMs: -5 })).resolves.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^since_ms: /),
    });
    await expect(
      refusal({ taskId: 'task-00000000-0000-4000-8000-000000000000', follow: true }),
    ).resolves.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(refusal({ taskId: 'nope', follow: true })).resolves.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^task_id: /),
    });
    expect(await snapshot()).toEqual(before);
  });

  it('Watch says how many events the log size cap dropped, and resuming from the marker repeats nothing', async () => {
    const id = (await delegate({ prompt: 'a long log', repository: repo.path })).task!.id;
    const capped = new TaskStore(redis, keys, { maxEventBytesPerTask: 4096 });
    for (let i = 2; i <= 101; i++)
      await capped.appendEvents(id, [{ type: 'agent.text', data: { text: `line ${i} `.padEnd(200, '.') } }]);
    const kept = await redis.xlen(keys.events(id));
    const firstKept = 101 - kept + 1;
    expect(kept).toBeLessThan(100);

    const all = await watchEvents({ taskId: id, follow: false });
    expect(all[0]).toMatchObject({ type: 'log.truncated', offset: firstKept - 1 });
    expect(JSON.parse(all[0]!.dataJson)).toEqual({ dropped: firstKept - 1 });
    expect(offsets(all.slice(1))).toEqual(range(firstKept, 101));
    expect(offsets(await watchEvents({ taskId: id, fromOffset: firstKept - 1, follow: false }))).toEqual(
      range(firstKept, 101),
    );
    // A tail longer than what is kept starts with the marker too; a shorter one does not.
    expect((await watchEvents({ taskId: id, follow: false, tail: 100 }))[0]?.type).toBe('log.truncated');
    expect(offsets(await watchEvents({ taskId: id, follow: false, tail: 2 }))).toEqual([100, 101]);
  });

  it('Watch resumes after a reconnect from the last offset seen, without a gap or a repeat', async () => {
    const store = new TaskStore(redis, keys);
    const id = await taskWithEvents(10);
    const batch = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        type: 'agent.text' as const,
        data: { text: `more ${from + i}` },
      }));

    // First connection: read some events live, then drop it mid-way.
    const first: WatchedEvent[] = [];
    const firstStream = tasks.Watch({ taskId: id, fromOffset: 0, follow: true });
    const firstClosed = new Promise<void>((resolve) => {
      firstStream.on('data', (event: WatchedEvent) => {
        first.push(event);
        if (first.length === 5) firstStream.cancel();
      });
      firstStream.on('error', () => resolve());
      firstStream.on('end', () => resolve());
    });
    await firstClosed;
    expect(first.length).toBeGreaterThanOrEqual(5);
    // While disconnected, the task goes on.
    await store.appendEvents(id, batch(12, 5));

    // Second connection, from the last offset seen, while more events are appended.
    const lastSeen = first.at(-1)!.offset;
    const second: WatchedEvent[] = [];
    const secondStream = tasks.Watch({ taskId: id, fromOffset: lastSeen, follow: true });
    const secondEnded = new Promise<void>((resolve, reject) => {
      secondStream.on('data', (event: WatchedEvent) => second.push(event));
      secondStream.on('end', resolve);
      secondStream.on('error', reject);
    });
    await waitFor(() => second.some((e) => e.offset === 16), { description: 'the events sent while away' });
    for (let i = 0; i < 3; i++) await store.appendEvents(id, batch(17 + i * 4, 4));
    await waitFor(() => second.some((e) => e.offset === 28), { description: 'the events appended live' });
    await store.cancel(id, 'finished watching');
    await secondEnded;

    const all = [...first, ...second];
    expect(offsets(all)).toEqual(range(1, 29));
    expect(all.at(-1)).toMatchObject({
      type: 'task.state',
      dataJson: expect.stringContaining('"cancelled"'),
    });
  });

  it('removes finished tasks and their logs once their retention has passed', async () => {
    const id = (await delegate({ prompt: 'short-lived', repository: repo.path })).task!.id;
    await call(tasks.Cancel, tasks, { taskId: id, reason: 'done' });
    expect(await coordinator.retention.sweepOnce()).toBe(0);
    const eightDaysLater = Date.now() + 8 * 86_400_000;
    expect(await coordinator.retention.sweepOnce(eightDaysLater)).toBeGreaterThanOrEqual(1);
    await expect(call(tasks.Get, tasks, { taskId: id })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    expect(await redis.exists(keys.events(id))).toBe(0);
  });

  it("serves a task's kept patch, NOT_FOUND when it has none, and removes it with the task", async () => {
    const id = (await delegate({ prompt: 'patch me', repository: repo.path })).task!.id;
    await expect(call(tasks.GetPatch, tasks, { taskId: id })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: expect.stringContaining('has no patch'),
    });
    const store = new TaskStore(redis, keys);
    const patch = 'From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] change\n\n+é\n';
    await store.savePatch(id, {
      patch: Buffer.from(patch),
      baseCommit: 'a'.repeat(40),
      headCommit: 'b'.repeat(40),
    });
    const response = await call(tasks.GetPatch, tasks, { taskId: id });
    expect(response).toMatchObject({ taskId: id, baseCommit: 'a'.repeat(40), headCommit: 'b'.repeat(40) });
    expect(Buffer.from(response.patch).toString('utf8')).toBe(patch);
    await call(tasks.Cancel, tasks, { taskId: id, reason: 'done' });
    await coordinator.retention.sweepOnce(Date.now() + 8 * 86_400_000);
    expect(await redis.exists(keys.patch(id))).toBe(0);
  });

  it('retries a finished task as a new task with the same spec, linked to it', async () => {
    const original = (await delegate({ prompt: 'retry me', repository: repo.path, priority: 'PRIORITY_P1' }))
      .task!;
    await expect(call(tasks.Retry, tasks, { taskId: original.id })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining('is queued'),
    });
    await call(tasks.Cancel, tasks, { taskId: original.id, reason: 'try again later' });
    const retried = (await call(tasks.Retry, tasks, { taskId: original.id })).task!;
    expect(retried.id).not.toBe(original.id);
    expect(retried).toMatchObject({ state: 'TASK_STATE_QUEUED', retryOf: original.id, spec: original.spec });
    await expect(
      call(tasks.Retry, tasks, { taskId: 'task-00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('resumes in a new session, with the previous context, when no worker holds the session', async () => {
    const store = new TaskStore(redis, keys);
    const original = (await delegate({ prompt: 'Write the parser', repository: repo.path })).task!;
    // As a worker that has since gone would have left it: a failed attempt with a session.
    await store.startAttempt(original.id, { workerId: 'gone-worker', startedAtMs: Date.now() });
    await store.finishAttempt(original.id, {
      state: 'failed',
      attempt: {
        number: 1,
        workerId: 'gone-worker',
        startedAtMs: Date.now(),
        sessionId: 'session-1',
        outcome: 'failed',
      },
      result: TaskResultSchema.parse({
        text: 'Half done',
        sessionId: 'session-1',
        branch: 'main',
        changedFiles: ['parser.ts'],
      }),
      error: { code: 'TIMEOUT', message: 'took too long' },
    });
    const resumed = await call(tasks.Resume, tasks, {
      taskId: original.id,
      additionalContext: 'Finish the tests too.',
    });
    expect(resumed.mode).toBe('RESUME_MODE_NEW_SESSION');
    expect(resumed.explanation).toContain('gone-worker');
    expect(resumed.task).toMatchObject({ resumedFrom: original.id, state: 'TASK_STATE_QUEUED' });
    const prompt = resumed.task!.spec!.prompt;
    for (const part of [
      'Write the parser',
      'Half done',
      'TIMEOUT: took too long',
      'branch main',
      'parser.ts',
      'Finish the tests too.',
    ]) {
      expect(prompt).toContain(part);
    }
    expect(resumed.task!.spec!.baseRef).toBe('main');

    // An auto-merging task resumes on its original base, so that its merge goes there.
    const autoTask = (await delegate({ prompt: 'Merge me', repository: repo.path, mergeStrategy: 'auto' }))
      .task!;
    await store.startAttempt(autoTask.id, { workerId: 'gone-worker', startedAtMs: Date.now() });
    await store.finishAttempt(autoTask.id, {
      state: 'failed',
      attempt: { number: 1, workerId: 'gone-worker', startedAtMs: Date.now(), outcome: 'failed' },
      result: TaskResultSchema.parse({ branch: 'main' }),
    });
    const resumedAuto = await call(tasks.Resume, tasks, { taskId: autoTask.id, additionalContext: '' });
    expect(resumedAuto.task!.spec).toMatchObject({ baseRef: '', mergeStrategy: 'auto' });
    await expect(
      call(tasks.Resume, tasks, { taskId: original.id, additionalContext: 'x'.repeat(100_001) }),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^additional_context: /),
    });
  });

  it('lists live workers (none here)', async () => {
    expect(await call(cluster.ListWorkers, cluster, {})).toEqual({ workers: [] });
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = coordinator.metricsUrl.replace('/metrics', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('claudine_grpc_requests_total{method="Delegate",code="OK"');
    expect(metrics).toContain('bullmq_job_count');
    expect(metrics).toContain('process_cpu_seconds_total');
  });

  it('has server reflection on, listing the services as grpcurl would', async () => {
    const definition = protoLoader.loadSync(
      path.join(
        path.dirname(require.resolve('@grpc/reflection/package.json')),
        'build/proto/grpc/reflection/v1/reflection.proto',
      ),
      { keepCase: true },
    );
    const reflectionProto = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
    };
    type ListReply = { list_services_response?: { service: { name: string }[] } };
    const client = new reflectionProto.grpc.reflection.v1.ServerReflection(
      coordinator.grpcAddress,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, ListReply> };
    const stream = client.ServerReflectionInfo();
    const reply = new Promise<ListReply>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    stream.write({ list_services: '' });
    const names = (await reply).list_services_response?.service.map((s) => s.name);
    stream.end();
    client.close();
    expect(names).toEqual(expect.arrayContaining(['claudine.v1.TaskService', 'claudine.v1.ClusterService']));
  });
});
