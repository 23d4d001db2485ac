import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import type { ProtoScheduleTaskRequest, Schedule__Output } from '@claudine/proto';
import {
  createGitRepository,
  createTempDir,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import { ClusterClient } from '../src/client/cluster-client';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * Schedules across the real parts: three coordinators (each a firer) and a worker, in this
 * process, on a real Redis. Interval schedules of a second keep it to seconds. A fire handled
 * more than MISS_GRACE_MS after its time counts as missed.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');
const MISS_GRACE_MS = 400;

describe('schedules', () => {
  let redis: RedisHarness;
  let repo: GitFixture;
  let dataDir: TempDir;
  let coordinators: CoordinatorService[] = [];
  let worker: WorkerService;
  let client: ClusterClient;

  async function startCoordinators(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      coordinators.push(
        await startTestCoordinator(redis, { CLAUDINE_SCHEDULE_MISS_GRACE_MS: String(MISS_GRACE_MS) }),
      );
    }
    client?.close();
    client = ClusterClient.connect(coordinators[0]!.grpcAddress);
  }

  async function stopCoordinators(): Promise<void> {
    await Promise.all(coordinators.map((coordinator) => coordinator.close()));
    coordinators = [];
  }

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository({ files: { 'README.md': '# schedules\n' } });
    dataDir = await createTempDir('claudine-schedules-');
    await startCoordinators(3);
    worker = await startTestWorker(redis, { id: 'schedule-worker', dataDir: dataDir.path, agent: AGENT });
  }, 60_000);

  afterAll(async () => {
    client.close();
    await worker.close();
    await stopCoordinators();
    await repo.remove();
    await dataDir.remove();
    await redis.stop();
  }, 60_000);

  const schedule = (request: Partial<ProtoScheduleTaskRequest>) =>
    client.scheduleTask({ template: { prompt: 'scheduled work', repository: repo.path }, ...request });

  function until(
    scheduleId: string,
    done: (schedule: Schedule__Output) => boolean,
    timeoutMs = 15_000,
  ): Promise<Schedule__Output> {
    return waitFor(
      async () => {
        const current = await client.getSchedule(scheduleId);
        return done(current) ? current : undefined;
      },
      { timeoutMs, description: `schedule ${scheduleId}` },
    );
  }

  /** Waits until the clock passes a time: fire times have to go by while the cluster is down. */
  const clockPasses = (timeMs: number) =>
    waitFor(() => Date.now() > timeMs, { timeoutMs: 20_000, description: `the clock to pass ${timeMs}` });

  it('fires each run once with three coordinators, and completes at maxRuns', async () => {
    const created = await schedule({ everyMs: 1_000, maxRuns: 3, concurrency: 'allow' });
    expect(created.state).toBe('active');
    expect(created.nextFireTimesMs.map(Number)).toHaveLength(3);
    const done = await until(created.id, (current) => current.state === 'completed');
    expect(done.runCount).toBe(3);
    expect(done.stateReason).toContain('maxRuns');
    const fires = done.history.map((run) => Number(run.fireTimeMs));
    expect(new Set(fires).size).toBe(3);
    expect(done.history.map((run) => run.outcome)).toEqual(['queued', 'queued', 'queued']);
    const taskIds = done.history.map((run) => run.taskId);
    expect(new Set(taskIds).size).toBe(3);
    for (const id of taskIds)
      expect((await client.get(id)).spec.labels['claudine/schedule']).toBe(created.id);
    // Each run was queued at or after its fire time (how soon after is the bench's to measure).
    for (const run of done.history)
      expect(Number(run.queuedAtMs)).toBeGreaterThanOrEqual(Number(run.fireTimeMs));
  }, 30_000);

  it('applies each missed-run policy to the fire times that passed while no coordinator ran', async () => {
    const [skip, catchup, fail] = await Promise.all([
      schedule({ everyMs: 1_000, missedRunPolicy: 'skip', concurrency: 'allow' }),
      schedule({ everyMs: 1_000, missedRunPolicy: 'catchup', catchupLimit: 2, concurrency: 'allow' }),
      schedule({ everyMs: 1_000, missedRunPolicy: 'fail', concurrency: 'allow' }),
    ]);
    await stopCoordinators();
    // Three fire times of each go by, each more than the grace late, with no coordinator.
    await clockPasses(Number(skip.createdAtMs) + 3_000 + MISS_GRACE_MS + 200);
    await startCoordinators(1);

    const skipped = await until(skip.id, (current) =>
      current.history.some((run) => run.outcome === 'queued'),
    );
    const missedBySkip = skipped.history.filter((run) => run.outcome === 'skipped');
    expect(missedBySkip.length).toBeGreaterThanOrEqual(3);
    for (const run of missedBySkip) expect(run.reason).toBe('missed');

    const caughtUp = await until(catchup.id, (current) =>
      current.history.some((run) => run.outcome === 'caught_up'),
    );
    expect(caughtUp.history.filter((run) => run.outcome === 'caught_up')).toHaveLength(2);
    const beyond = caughtUp.history.filter((run) => run.outcome === 'skipped');
    expect(beyond.length).toBeGreaterThanOrEqual(1);
    expect(beyond[0]?.reason).toBe('beyond the catch-up limit');
    // The caught-up runs are the latest missed ones, in order.
    const caughtTimes = caughtUp.history
      .filter((run) => run.outcome === 'caught_up')
      .map((run) => Number(run.fireTimeMs));
    expect(caughtTimes[1]! - caughtTimes[0]!).toBe(1_000);
    expect(caughtTimes[0]!).toBeGreaterThan(Math.max(...beyond.map((run) => Number(run.fireTimeMs))));

    const failed = await until(fail.id, (current) => current.state === 'paused');
    expect(failed.stateReason).toContain('missed-run policy fail');
    expect(failed.history.every((run) => run.outcome === 'missed')).toBe(true);
    expect(failed.runCount).toBe(0);

    await Promise.all([skip, catchup, fail].map((s) => client.changeSchedule('cancel', s.id)));
    await stopCoordinators();
    await startCoordinators(3);
  }, 40_000);

  it('keeps the run count when paused, and does not fire the runs missed while paused', async () => {
    const created = await schedule({ everyMs: 1_000, concurrency: 'allow' });
    const ran = await until(created.id, (current) => current.runCount >= 1);
    const paused = await client.changeSchedule('pause', created.id);
    expect(paused.state).toBe('paused');
    expect(paused.nextFireTimesMs).toEqual([]);
    await clockPasses(Date.now() + 2_500);
    const resumedAt = Date.now();
    const resumed = await client.changeSchedule('resume', created.id);
    expect(resumed.state).toBe('active');
    expect(resumed.runCount).toBeGreaterThanOrEqual(ran.runCount);
    const after = await until(created.id, (current) => current.runCount > resumed.runCount);
    const fresh = after.history.slice(resumed.history.length);
    for (const run of fresh) {
      expect(run.outcome).toBe('queued');
      expect(Number(run.fireTimeMs)).toBeGreaterThanOrEqual(resumedAt);
    }
    await client.changeSchedule('cancel', created.id);
  }, 30_000);

  /** A file whose creation lets an agent given "gate:<file>" finish. */
  function gate(): { prompt: (text: string) => string; open: () => Promise<void> } {
    const file = path.join(dataDir.path, `gate-${Math.random().toString(16).slice(2)}`);
    return { prompt: (text) => `gate:${file} ${text}`, open: () => writeFile(file, '') };
  }

  const runTasks = (current: Schedule__Output) =>
    current.history.filter((run) => run.taskId !== '').map((run) => run.taskId);

  it('fires a six-field cron every second in its time zone', async () => {
    const created = await schedule({
      cron: '* * * * * *',
      timeZone: 'Europe/Paris',
      maxRuns: 2,
      concurrency: 'allow',
    });
    expect(Number(created.nextFireTimesMs[1]) - Number(created.nextFireTimesMs[0])).toBe(1_000);
    const done = await until(created.id, (current) => current.state === 'completed');
    expect(done.history.map((run) => run.outcome)).toEqual(['queued', 'queued']);
  }, 20_000);

  it('skips a fire while the previous run is active, under concurrency skip', async () => {
    const g = gate();
    const created = await schedule({
      template: { prompt: g.prompt('slow'), repository: repo.path },
      everyMs: 1_000,
      concurrency: 'skip',
    });
    const skipping = await until(created.id, (current) =>
      current.history.some((run) => run.outcome === 'skipped'),
    );
    expect(skipping.history.find((run) => run.outcome === 'skipped')?.reason).toBe(
      'the previous run is still active',
    );
    expect(runTasks(skipping)).toHaveLength(1);
    await client.changeSchedule('cancel', created.id);
    await g.open();
  }, 20_000);

  it('queues a fire behind the previous run, under concurrency queue', async () => {
    const g = gate();
    const created = await schedule({
      template: { prompt: g.prompt('slow'), repository: repo.path },
      everyMs: 1_000,
      concurrency: 'queue',
    });
    const queued = await until(created.id, (current) => runTasks(current).length >= 2);
    await client.changeSchedule('cancel', created.id);
    const [first, second] = runTasks(queued);
    const waiting = await client.get(second!);
    expect(waiting.state).toBe('blocked');
    expect(waiting.dependencies).toEqual([{ taskId: first, state: 'pending' }]);
    await g.open();
    await waitFor(async () => (await client.get(second!)).state === 'completed', {
      timeoutMs: 15_000,
      description: 'the queued run to complete after the first',
    });
  }, 30_000);

  it('makes each run of a schedule wait for the current run of another (afterSchedule)', async () => {
    const g = gate();
    const upstream = await schedule({
      template: { prompt: g.prompt('upstream'), repository: repo.path },
      everyMs: 1_000,
      maxRuns: 1,
    });
    const upstreamRun = runTasks(await until(upstream.id, (current) => current.runCount === 1))[0];
    const downstream = await schedule({ everyMs: 1_000, maxRuns: 1, afterSchedule: upstream.id });
    const downstreamRun = runTasks(await until(downstream.id, (current) => current.runCount === 1))[0];
    const waiting = await client.get(downstreamRun!);
    expect(waiting.dependencies).toEqual([{ taskId: upstreamRun, state: 'pending' }]);
    expect(waiting.state).toBe('blocked');
    await g.open();
    await waitFor(async () => (await client.get(downstreamRun!)).state === 'completed', {
      timeoutMs: 15_000,
      description: "the downstream run to complete after the upstream's",
    });
  }, 30_000);

  it('updates a schedule in place: its count and history stay, its next runs follow the new spec', async () => {
    const created = await schedule({ everyMs: 1_000, concurrency: 'allow' });
    const before = await until(created.id, (current) => current.runCount >= 1);
    const updated = await client.updateSchedule(created.id, {
      template: { prompt: 'updated work', repository: repo.path },
      everyMs: 2_000,
      concurrency: 'allow',
    });
    expect(updated.state).toBe('active');
    expect(updated.runCount).toBeGreaterThanOrEqual(before.runCount);
    expect(Number(updated.spec?.everyMs)).toBe(2_000);
    const after = await until(created.id, (current) => current.runCount > updated.runCount);
    const latest = after.history.at(-1)!;
    expect((await client.get(latest.taskId)).spec.prompt).toBe('updated work');
    await client.changeSchedule('cancel', created.id);
    await expect(
      client.updateSchedule(created.id, { template: { prompt: 'x', repository: repo.path }, everyMs: 1_000 }),
    ).rejects.toMatchObject({ code: 'SCHEDULE_STATE_INVALID' });
  }, 30_000);

  it('refuses bad timings with the field and the reason, creating nothing', async () => {
    const before = (await client.listSchedules({ pageSize: 500 })).schedules.length;
    await expect(schedule({ cron: '61 * * * *' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^spec\.cron: /),
    });
    await expect(schedule({ cron: '0 9 * * *', timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      message: expect.stringMatching(/^spec\.timezone: /),
    });
    await expect(schedule({ oneTime: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({
      message: expect.stringMatching(/^spec\.runAt: .* in the past/),
    });
    await expect(schedule({ everyMs: 1_000, maxRuns: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      schedule({ cron: '0 9 * * *', expiresAt: new Date(Date.now() + 1_000).toISOString() }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^spec\.expiresAt: /) });
    expect((await client.listSchedules({ pageSize: 500 })).schedules.length).toBe(before);
  });
});
