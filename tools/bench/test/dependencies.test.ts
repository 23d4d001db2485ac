import { Writable } from 'node:stream';
import { startRedis, type RedisHarness } from '@claudine/testing';
import { findCycle, measureDependencies, planDag, type DependencyBenchConfig } from '../src/dependencies';
import { dependenciesSection } from '../src/report';

// The dependency measurements at a tiny scale on a real Redis: numbers of the right shape, and
// nothing left open (each measurement closes its own connections, coordinator and workers).
describe('dependency bench', () => {
  let redis: RedisHarness;
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('plans a fan-in of more than 100 leaves through a middle level', () => {
    const dag = planDag({ chains: 2, chainLength: 3, fanOut: 4, fanIn: 250 });
    expect(dag.roots).toHaveLength(2 + 1 + 250);
    expect(dag.tasksPerShape).toEqual({ chains: 6, 'fan-out': 5, 'fan-in': 250 + 3 + 1 });
    const fanIn = dag.dependents.filter((d) => d.shape === 'fan-in');
    expect(fanIn.map((d) => d.dependsOn.length)).toEqual([100, 100, 50, 3]);
    // Every dependency is written before its dependent.
    const written = new Set(dag.roots);
    for (const dependent of dag.dependents) {
      for (const dependency of dependent.dependsOn) expect(written.has(dependency)).toBe(true);
      written.add(dependent.id);
    }
  });

  it('finds a cycle, and none in a DAG', () => {
    const dag = new Map([
      ['a', ['b', 'c']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(findCycle(dag)).toBeUndefined();
    expect(findCycle(new Map([...dag, ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('measures adding to a graph, a fan-out release against the naive one, and release by shape', async () => {
    const config: DependencyBenchConfig = {
      graph: {
        tasks: 50,
        componentSize: 10,
        maxEdgesPerTask: 3,
        samples: 5,
        dependencies: 10,
        naiveRounds: 1,
      },
      fanOutRelease: { fanOut: 10, rounds: 1 },
      shapes: {
        chains: 2,
        chainLength: 3,
        fanOut: 5,
        fanIn: 5,
        workers: 2,
        workerCapacity: 1,
        deadlineMs: 60_000,
      },
    };
    const result = await measureDependencies({ redisUrl: redis.url, logDestination: silent, ...config });

    if (!result.graph.ok) throw new Error(result.graph.error);
    const graph = result.graph.value;
    expect(graph.tasks).toBe(50);
    expect(graph.components).toBe(5);
    expect(graph.create.count).toBe(5);
    expect(graph.addDependencies.count).toBe(5);
    expect(graph.addRefusals).toEqual({});
    // The 50 tasks' edges, and the measured calls' own.
    expect(graph.naive.edges).toBeGreaterThanOrEqual(graph.edges);
    expect(graph.naive.totalMs).toBeGreaterThan(0);

    if (!result.fanOutRelease.ok) throw new Error(result.fanOutRelease.error);
    const fanOut = result.fanOutRelease.value;
    for (const run of [fanOut.claudine, fanOut.naive]) {
      expect(run.totalMs).toHaveLength(1);
      expect(run.perDependent.count).toBe(10);
      expect(run.perDependent.min).toBeGreaterThanOrEqual(0);
    }
    expect(fanOut.speedup).toBeGreaterThan(0);

    if (!result.shapes.ok) throw new Error(result.shapes.error);
    const shapes = result.shapes.value;
    expect(shapes.shapes.map((s) => [s.shape, s.tasks, s.dependents, s.missing])).toEqual([
      ['chains', 6, 4, 0],
      ['fan-out', 6, 5, 0],
      ['fan-in', 6, 1, 0],
    ]);
    expect(shapes.all.count).toBe(10);
    expect(shapes.all.min).toBeGreaterThanOrEqual(0);
    expect(shapes.withDependencies).toMatchObject({ tasks: 18, completed: 18, notCompleted: [] });
    expect(shapes.withoutDependencies).toMatchObject({ tasks: 18, completed: 18, notCompleted: [] });
    expect(shapes.overhead).toBeGreaterThan(0);

    const section = dependenciesSection({ ok: true, value: result }, config);
    const verdicts = section.rows.filter((row) => row.target !== '-').map((row) => row.verdict);
    // Three shapes' p99, the fan-out against the naive release, adding a task to the graph.
    expect(verdicts).toHaveLength(5);
    for (const v of verdicts) expect(['meets', 'misses']).toContain(v);
    expect(section.details).toHaveLength(2);
  }, 120_000);
});
