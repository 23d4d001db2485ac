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
import { createGitRepository, startRedis, type GitFixture, type RedisHarness } from '@claudine/testing';
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
