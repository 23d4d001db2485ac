import { z } from 'zod';
import {
  AppError,
  TASK_LIMITS,
  TaskIdSchema,
  type DependencyEdge,
  type DependencyFailurePolicy,
  type EdgeState,
  type Task,
  type TaskState,
} from '@claudine/core';
import type { ClusterClient } from '../client/cluster-client';
import { parseFlags } from '../flags';
import { EXIT, print, printJson } from '../output';

/** How many tasks `status --graph` fetches at most; the rest is counted, not shown. */
export const GRAPH_MAX_NODES = 200;
/** Tasks fetched at once, one breadth-first level at a time. */
const FETCH_CONCURRENCY = 16;
const PROMPT_CHARS = 48;

/** One task of a dependency graph, as fetched. `removed`: named by an edge, but no longer stored. */
export interface GraphNode {
  id: string;
  state: TaskState | 'removed';
  prompt: string;
  onDependencyFailure?: DependencyFailurePolicy;
  continueFrom?: string;
  /** Its dependencies with their edge states, and its dependents: all of them, fetched or not. */
  dependencies: DependencyEdge[];
  dependents: string[];
}

/** An edge of the graph: `to` waits for `from`. `unknown` when `to` was removed. */
export interface GraphEdge {
  from: string;
  to: string;
  state: EdgeState | 'unknown';
}

/** A task's upstream (dependencies, recursively) and downstream (dependents, recursively). */
export interface TaskGraphView {
  root: string;
  /** Breadth first from the root, at most the cap. */
  nodes: GraphNode[];
  /** Tasks reached but not fetched because of the cap (at least this many are left out). */
  omitted: number;
}

function nodeOf(task: Task): GraphNode {
  return {
    id: task.id,
    state: task.state,
    prompt: task.spec.prompt,
    onDependencyFailure: task.spec.onDependencyFailure,
    continueFrom: task.spec.continueFrom,
    dependencies: task.dependencies ?? [],
    dependents: task.dependents ?? [],
  };
}

/**
 * Fetches a task's graph breadth first: upstream through each task's dependencies, downstream
 * through each one's dependents, each task once, at most `maxNodes` tasks. A task that an edge
 * names but that is gone (removed after its retention) is kept as `removed`.
 * @throws whatever `get` throws for the root (TASK_NOT_FOUND ...)
 */
export async function fetchTaskGraph(
  get: (taskId: string) => Promise<Task>,
  rootId: string,
  maxNodes = GRAPH_MAX_NODES,
): Promise<TaskGraphView> {
  const root = nodeOf(await get(rootId));
  const nodes = new Map<string, GraphNode>([[root.id, root]]);
  const reached = new Set<string>([root.id]);
  type Step = { id: string; upstream: boolean };
  const next = (node: GraphNode, upstream: boolean): Step[] =>
    (upstream ? node.dependencies.map((edge) => edge.taskId) : node.dependents).map((id) => ({
      id,
      upstream,
    }));
  let frontier = [...next(root, true), ...next(root, false)];
  while (frontier.length > 0) {
    const level = frontier.filter((step) => {
      if (reached.has(step.id)) return false;
      reached.add(step.id);
      return true;
    });
    const fetching = level.slice(0, Math.max(0, maxNodes - nodes.size));
    frontier = [];
    for (let start = 0; start < fetching.length; start += FETCH_CONCURRENCY) {
      const chunk = fetching.slice(start, start + FETCH_CONCURRENCY);
      const fetched = await Promise.all(chunk.map((step) => getOrRemoved(get, step.id)));
      chunk.forEach((step, i) => {
        const node = fetched[i] as GraphNode;
        nodes.set(node.id, node);
        frontier.push(...next(node, step.upstream));
      });
    }
    if (fetching.length < level.length) break;
  }
  // Cut short: what the last tasks fetched lead to is left out too (and more beyond, unknown).
  for (const step of frontier) reached.add(step.id);
  return { root: root.id, nodes: [...nodes.values()], omitted: reached.size - nodes.size };
}

async function getOrRemoved(get: (taskId: string) => Promise<Task>, id: string): Promise<GraphNode> {
  try {
    return nodeOf(await get(id));
  } catch (error) {
    if (!AppError.is(error, 'TASK_NOT_FOUND')) throw error;
    return { id, state: 'removed', prompt: '', dependencies: [], dependents: [] };
  }
}

/** Every edge between two fetched tasks, `from` the dependency `to` the task that waits for it. */
export function graphEdges(graph: TaskGraphView): GraphEdge[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: GraphEdge) => {
    const key = `${edge.from} ${edge.to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const node of graph.nodes) {
    for (const edge of node.dependencies)
      if (byId.has(edge.taskId)) add({ from: edge.taskId, to: node.id, state: edge.state });
    // A removed dependent no longer says how its edge stood.
    for (const dependent of node.dependents)
      if (byId.get(dependent)?.state === 'removed') add({ from: node.id, to: dependent, state: 'unknown' });
  }
  return edges;
}

/** `status --graph --json`. */
export function graphToJson(graph: TaskGraphView) {
  return {
    root: graph.root,
    nodes: graph.nodes.map((node) => ({
      id: node.id,
      state: node.state,
      prompt: node.prompt,
      ...(node.onDependencyFailure ? { onDependencyFailure: node.onDependencyFailure } : {}),
      ...(node.continueFrom ? { continueFrom: node.continueFrom } : {}),
    })),
    edges: graphEdges(graph),
    omitted: graph.omitted,
  };
}

/** The first words of a prompt, on one line. */
export function promptHead(prompt: string, max = PROMPT_CHARS): string {
  const flat = prompt.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Short task ids (`task-1a2b3c4d`), unless two tasks of the graph would share one: then the full
 * ids of those.
 */
function shortIds(ids: readonly string[]): (id: string) => string {
  const short = (id: string) => id.slice(0, 13);
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(short(id), (counts.get(short(id)) ?? 0) + 1);
  return (id) => ((counts.get(short(id)) ?? 0) > 1 ? id : short(id));
}

/**
 * Draws a task's graph as a tree: the task (●), then what it depends on (upstream, recursively)
 * and what depends on it (downstream, recursively), each line `[edge state]─ short-id  state
 * first words of the prompt`. A task reached a second time (a diamond) is drawn once, then
 * referred to as `(see above)`.
 */
export function renderTaskGraph(graph: TaskGraphView): string {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const short = shortIds([...byId.keys()]);
  const drawn = new Set<string>();
  const lines: string[] = [];
  const label = (node: GraphNode) =>
    node.state === 'removed'
      ? `${short(node.id)}  removed`
      : `${short(node.id)}  ${node.state}  ${promptHead(node.prompt)}`;

  const root = byId.get(graph.root);
  if (!root) return `${graph.root}  (not fetched)`;
  lines.push(`● ${label(root)}`);
  drawn.add(root.id);

  /** The next tasks in one direction, with the state of the edge to each. */
  const children = (node: GraphNode, upstream: boolean): { id: string; edge: string }[] =>
    upstream
      ? node.dependencies.map((edge) => ({ id: edge.taskId, edge: edge.state }))
      : node.dependents.map((id) => ({
          id,
          edge: byId.get(id)?.dependencies.find((edge) => edge.taskId === node.id)?.state ?? '?',
        }));

  const walk = (node: GraphNode, upstream: boolean, indent: string) => {
    const all = children(node, upstream);
    const shown = all.filter((child) => byId.has(child.id));
    const hidden = all.length - shown.length;
    shown.forEach((child, i) => {
      const last = i === shown.length - 1 && hidden === 0;
      const childNode = byId.get(child.id) as GraphNode;
      const branch = `${indent}${last ? '└─' : '├─'}[${child.edge}]─ `;
      if (drawn.has(child.id)) {
        lines.push(`${branch}${short(child.id)}  (see above)`);
        return;
      }
      drawn.add(child.id);
      lines.push(`${branch}${label(childNode)}`);
      walk(childNode, upstream, `${indent}${last ? '   ' : '│  '}`);
    });
    if (hidden > 0) lines.push(`${indent}└─ … ${hidden} more not shown`);
  };

  const sections = [
    { title: 'depends on', upstream: true, count: root.dependencies.length },
    { title: 'needed by', upstream: false, count: root.dependents.length },
  ].filter((section) => section.count > 0);
  if (sections.length === 0) lines.push('  (no dependencies, no dependents)');
  sections.forEach((section, i) => {
    const last = i === sections.length - 1;
    lines.push(`${last ? '└─' : '├─'} ${section.title}`);
    walk(root, section.upstream, last ? '   ' : '│  ');
  });
  if (graph.omitted > 0)
    lines.push(
      `… at least ${graph.omitted} more ${graph.omitted === 1 ? 'task' : 'tasks'} left out (the graph is cut at ${graph.nodes.length})`,
    );
  return lines.join('\n');
}

/** The flags `claudine status <taskId> --graph` takes along. */
export const StatusGraphFlagsSchema = z.object({
  state: z.array(z.string()).max(0, 'not with --graph (it draws one task’s graph)').default([]),
  json: z.boolean().default(false),
});

/** `claudine status <taskId> --graph [--json]`. @throws AppError INVALID_ARGUMENT without a task id */
export async function graphCommand(
  client: Pick<ClusterClient, 'get'>,
  taskId: string | undefined,
  rawFlags: { json?: boolean; state?: string[] },
): Promise<number> {
  const flags = parseFlags(StatusGraphFlagsSchema, { state: rawFlags.state, json: rawFlags.json });
  if (!taskId)
    throw new AppError(
      'INVALID_ARGUMENT',
      '--graph: name the task whose graph to draw: status <taskId> --graph',
    );
  const graph = await fetchTaskGraph((id) => client.get(id), taskId);
  if (flags.json) printJson(graphToJson(graph));
  else print(renderTaskGraph(graph));
  return EXIT.ok;
}

/** The flags of `claudine depend <taskId> --on <id> [--on ...]`. */
export const DependFlagsSchema = z.object({
  on: z
    .array(TaskIdSchema)
    .min(1, 'name at least one task to depend on')
    .max(TASK_LIMITS.maxDependencies, `at most ${TASK_LIMITS.maxDependencies} tasks`)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a task id'),
  json: z.boolean().default(false),
});
export type DependFlags = z.input<typeof DependFlagsSchema>;

/** How a task stands on its dependencies, for `claudine depend`. */
export function formatDependencies(task: Task): string {
  const edges = task.dependencies ?? [];
  const pending = edges.filter((edge) => edge.state === 'pending').length;
  const head =
    task.state === 'blocked'
      ? `${task.id}  blocked: waits for ${pending} of ${edges.length} ${edges.length === 1 ? 'dependency' : 'dependencies'}`
      : `${task.id}  ${task.state}${
          task.error
            ? `: ${task.error.code}: ${task.error.message}`
            : task.cancelReason
              ? ` (${task.cancelReason})`
              : ''
        }`;
  return [head, ...edges.map((edge) => `  ${edge.taskId}  ${edge.state}`)].join('\n');
}

/**
 * `claudine depend <taskId> --on <id>...`: makes a blocked task also wait for others. Exits 1
 * when that ended the task (a new dependency had already failed, and its policy is fail or cancel).
 */
export async function dependCommand(
  client: Pick<ClusterClient, 'addDependencies'>,
  taskId: string,
  rawFlags: DependFlags,
): Promise<number> {
  const flags = parseFlags(DependFlagsSchema, rawFlags);
  const task = await client.addDependencies(taskId, flags.on);
  if (flags.json) printJson(task);
  else print(formatDependencies(task));
  return task.state === 'failed' || task.state === 'cancelled' ? EXIT.taskFailed : EXIT.ok;
}
