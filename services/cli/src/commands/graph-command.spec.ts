import {
  AppError,
  TaskSpecSchema,
  type DependencyEdge,
  type DependencyFailurePolicy,
  type Task,
  type TaskState,
} from '@claudine/core';
import { parseFlags } from '../flags';
import {
  DependFlagsSchema,
  dependCommand,
  fetchTaskGraph,
  formatDependencies,
  graphCommand,
  graphEdges,
  graphToJson,
  promptHead,
  renderTaskGraph,
  StatusGraphFlagsSchema,
} from './graph-command';

/** `task-<8 hex>-…`: the name (up to 4 characters) in hex, which makes the short id. */
const id = (name: string) =>
  `task-${Buffer.from(name).toString('hex').padEnd(8, '0')}-0000-4000-8000-000000000000`;
const short = (name: string) => id(name).slice(0, 13);

interface Fixture {
  state: TaskState;
  prompt?: string;
  dependsOn?: [string, DependencyEdge['state']][];
  onDependencyFailure?: DependencyFailurePolicy;
}

/** A store of tasks by name; dependents are derived from the dependencies, as the coordinator does. */
function tasks(fixtures: Record<string, Fixture>): Map<string, Task> {
  const byId = new Map<string, Task>();
  for (const [name, fixture] of Object.entries(fixtures)) {
    const dependencies = (fixture.dependsOn ?? []).map(([dep, state]) => ({ taskId: id(dep), state }));
    const dependents = Object.entries(fixtures)
      .filter(([, other]) => other.dependsOn?.some(([dep]) => dep === name))
      .map(([other]) => id(other))
      .sort();
    byId.set(id(name), {
      id: id(name),
      tenant: 'default',
      spec: TaskSpecSchema.parse({
        prompt: fixture.prompt ?? `do ${name}`,
        repository: '/repo',
        dependsOn: dependencies.map((edge) => edge.taskId),
        onDependencyFailure: fixture.onDependencyFailure ?? 'fail',
      }),
      state: fixture.state,
      createdAtMs: 0,
      updatedAtMs: 0,
      attempts: [],
      dependencies: dependencies.length > 0 ? dependencies : undefined,
      dependents: dependents.length > 0 ? dependents : undefined,
    });
  }
  return byId;
}

function getter(byId: Map<string, Task>, fetched: string[] = []) {
  return (taskId: string): Promise<Task> => {
    fetched.push(taskId);
    const task = byId.get(taskId);
    return task
      ? Promise.resolve(task)
      : Promise.reject(new AppError('TASK_NOT_FOUND', `task ${taskId} does not exist`));
  };
}

describe('status --graph', () => {
  // d waits for b and c, which both wait for a: a diamond.
  const diamond = tasks({
    a: { state: 'completed', prompt: 'Build the parser for the new configuration format, with tests' },
    b: { state: 'running', dependsOn: [['a', 'completed']] },
    c: { state: 'completed', dependsOn: [['a', 'completed']] },
    d: {
      state: 'blocked',
      dependsOn: [
        ['b', 'pending'],
        ['c', 'completed'],
      ],
    },
  });

  it('draws a diamond upstream, the shared task once, then "(see above)"', async () => {
    const fetched: string[] = [];
    const graph = await fetchTaskGraph(getter(diamond, fetched), id('d'));
    expect(fetched.filter((taskId) => taskId === id('a'))).toHaveLength(1);
    expect(renderTaskGraph(graph).split('\n')).toEqual([
      `● ${short('d')}  blocked  do d`,
      '└─ depends on',
      `   ├─[pending]─ ${short('b')}  running  do b`,
      `   │  └─[completed]─ ${short('a')}  completed  Build the parser for the new configuration…`,
      `   └─[completed]─ ${short('c')}  completed  do c`,
      `      └─[completed]─ ${short('a')}  (see above)`,
    ]);
  });

  it('draws both directions from a task in the middle of a chain, and its edge states', async () => {
    const chain = tasks({
      a: { state: 'failed' },
      b: { state: 'running', dependsOn: [['a', 'failed']], onDependencyFailure: 'continue' },
      c: { state: 'blocked', dependsOn: [['b', 'pending']] },
      d: { state: 'blocked', dependsOn: [['c', 'pending']] },
    });
    const graph = await fetchTaskGraph(getter(chain), id('b'));
    expect(renderTaskGraph(graph).split('\n')).toEqual([
      `● ${short('b')}  running  do b`,
      '├─ depends on',
      `│  └─[failed]─ ${short('a')}  failed  do a`,
      '└─ needed by',
      `   └─[pending]─ ${short('c')}  blocked  do c`,
      `      └─[pending]─ ${short('d')}  blocked  do d`,
    ]);
    expect(graphToJson(graph)).toEqual({
      root: id('b'),
      nodes: [
        { id: id('b'), state: 'running', prompt: 'do b', onDependencyFailure: 'continue' },
        { id: id('a'), state: 'failed', prompt: 'do a', onDependencyFailure: 'fail' },
        { id: id('c'), state: 'blocked', prompt: 'do c', onDependencyFailure: 'fail' },
        { id: id('d'), state: 'blocked', prompt: 'do d', onDependencyFailure: 'fail' },
      ],
      edges: [
        { from: id('a'), to: id('b'), state: 'failed' },
        { from: id('b'), to: id('c'), state: 'pending' },
        { from: id('c'), to: id('d'), state: 'pending' },
      ],
      omitted: 0,
    });
  });

  it('stops at the cap, breadth first, and says how many were left out', async () => {
    // r waits for 5 tasks, each of which waits for 2 more of its own.
    const fixtures: Record<string, Fixture> = { r: { state: 'blocked', dependsOn: [] } };
    for (let i = 1; i <= 5; i++) {
      fixtures[`u${i}`] = {
        state: 'blocked',
        dependsOn: [
          [`v${i}a`, 'pending'],
          [`v${i}b`, 'pending'],
        ],
      };
      fixtures[`v${i}a`] = { state: 'running' };
      fixtures[`v${i}b`] = { state: 'queued' };
      fixtures.r?.dependsOn?.push([`u${i}`, 'pending']);
    }
    const fetched: string[] = [];
    const graph = await fetchTaskGraph(getter(tasks(fixtures), fetched), id('r'), 4);
    expect(fetched).toEqual([id('r'), id('u1'), id('u2'), id('u3')]);
    expect(graph.nodes.map((node) => node.id)).toEqual(fetched);
    // u4 and u5, and the dependencies of u1 to u3 (those of u4 and u5 are not even known).
    expect(graph.omitted).toBe(8);
    const lines = renderTaskGraph(graph).split('\n');
    expect(lines).toContain('   └─ … 2 more not shown');
    expect(lines.at(-1)).toBe('… at least 8 more tasks left out (the graph is cut at 4)');
    // u1's own dependencies were never fetched: counted for u1, not drawn.
    expect(lines).toContain('   │  └─ … 2 more not shown');
  });

  it('keeps a task removed after its retention as "removed", and draws a task with no edges', async () => {
    const store = tasks({ b: { state: 'blocked', dependsOn: [['gone', 'completed']] } });
    const graph = await fetchTaskGraph(getter(store), id('b'));
    expect(renderTaskGraph(graph)).toContain(`└─[completed]─ ${short('gone')}  removed`);
    expect(graphEdges(graph)).toEqual([{ from: id('gone'), to: id('b'), state: 'completed' }]);

    const alone = await fetchTaskGraph(getter(tasks({ x: { state: 'queued' } })), id('x'));
    expect(renderTaskGraph(alone)).toBe(`● ${short('x')}  queued  do x\n  (no dependencies, no dependents)`);
  });

  it('fails as the root task does, when it does not exist', async () => {
    await expect(fetchTaskGraph(getter(new Map()), id('nope'))).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
  });

  it('shows only the first words of a prompt, on one line', () => {
    expect(promptHead('fix\n  the   bug')).toBe('fix the bug');
    expect(promptHead('one two three four five six', 12)).toBe('one two…');
    expect(promptHead('x'.repeat(30), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('validates its flags before asking the coordinator anything', async () => {
    const client = { get: jest.fn() };
    await expect(graphCommand(client, undefined, {})).rejects.toThrow(/^--graph: name the task/);
    await expect(graphCommand(client, id('a'), { state: ['queued'] })).rejects.toThrow(
      /^--state: not with --graph/,
    );
    expect(client.get).not.toHaveBeenCalled();
    expect(parseFlags(StatusGraphFlagsSchema, {})).toEqual({ state: [], json: false });
  });
});

describe('claudine depend', () => {
  it('needs at least one --on, each a task id, none twice', () => {
    expect(parseFlags(DependFlagsSchema, { on: [id('a'), id('b')] })).toEqual({
      on: [id('a'), id('b')],
      json: false,
    });
    expect(() => parseFlags(DependFlagsSchema, { on: [] })).toThrow(/^--on: name at least one task/);
    expect(() => parseFlags(DependFlagsSchema, {})).toThrow(/^--on: /);
    expect(() => parseFlags(DependFlagsSchema, { on: ['abc'] })).toThrow(
      /^--on\.0: must look like task-<uuid>/,
    );
    expect(() => parseFlags(DependFlagsSchema, { on: [id('a'), id('a')] })).toThrow(/must not repeat/);
  });

  it('prints the new dependencies, and exits 1 when that ended the task', async () => {
    const store = tasks({
      a: { state: 'running' },
      c: { state: 'completed' },
      b: {
        state: 'blocked',
        dependsOn: [
          ['a', 'pending'],
          ['c', 'completed'],
        ],
      },
    });
    const blocked = store.get(id('b')) as Task;
    expect(formatDependencies(blocked).split('\n')).toEqual([
      `${id('b')}  blocked: waits for 1 of 2 dependencies`,
      `  ${id('a')}  pending`,
      `  ${id('c')}  completed`,
    ]);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const addDependencies = jest.fn().mockResolvedValue(blocked);
      await expect(dependCommand({ addDependencies }, id('b'), { on: [id('a')] })).resolves.toBe(0);
      expect(addDependencies).toHaveBeenCalledWith(id('b'), [id('a')]);

      const failed: Task = {
        ...blocked,
        state: 'failed',
        error: { code: 'DEPENDENCY_FAILED', message: `dependency ${id('a')} failed` },
      };
      await expect(
        dependCommand({ addDependencies: jest.fn().mockResolvedValue(failed) }, id('b'), { on: [id('a')] }),
      ).resolves.toBe(1);
      expect(formatDependencies(failed).split('\n')[0]).toBe(
        `${id('b')}  failed: DEPENDENCY_FAILED: dependency ${id('a')} failed`,
      );
    } finally {
      write.mockRestore();
    }
  });
});
