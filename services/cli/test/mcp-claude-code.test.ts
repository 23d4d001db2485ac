import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { ClusterClient } from '@claudine/proto';
import type { WorkerService } from '@claudine/worker';
import {
  CLAUDE_BIN,
  createGitRepository,
  createTempDir,
  startRedis,
  startScriptedAnthropic,
  waitFor,
  type GitFixture,
  type MessagesRequestBody,
  type RedisHarness,
  type ScriptedAnthropic,
  type ScriptedReply,
  type ScriptedRequest,
  type TempDir,
} from '@claudine/testing';
import {
  DELEGATE,
  LEAD_TIMEOUT_MS,
  offersDelegateAndWait,
  previousToolUse,
  runLead,
  toolUses,
  WAIT,
  writeLeadMcpConfig,
  type TaskView,
} from './support/claude-lead';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * The acceptance test of issue 8, with real parts only: a lead Claude Code session (the real CLI)
 * whose MCP client starts `claudine mcp` over stdio → gRPC → a coordinator and a worker on a real
 * Redis → the worker runs the real Claude Code CLI in a worktree. One scripted Messages API plays
 * both models: the lead's (told apart by its prompt) delegates a task, waits for it
 * with WaitForTask and answers with the worker's result; the worker's just answers.
 *
 * Claude Code 2.1.197 hands a model the JSON of a tool's `structuredContent` as the tool_result
 * (the text content is not sent), so the lead's script parses it to build its next call.
 */
const CLI = path.resolve(__dirname, '../dist/main.js');
const LEAD_PROMPT = 'Delegate the question to the cluster and tell me what the worker found.';
const WORKER_PROMPT = 'Find the answer to the ultimate question and report it.';
const WORKER_TEXT = `The answer is 42 (worker ${Math.random().toString(36).slice(2, 10)})`;

interface WaitForTaskOutput {
  done: boolean;
  timedOut: boolean;
  tasks: TaskView[];
}

describe('MCP end to end: a lead Claude Code session delegates to the cluster through `claudine mcp`', () => {
  let redis: RedisHarness;
  let anthropic: ScriptedAnthropic;
  let repo: GitFixture;
  let dataDir: TempDir;
  let leadHome: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let client: ClusterClient;

  beforeAll(async () => {
    redis = await startRedis();
    anthropic = await startScriptedAnthropic({ respond: (request) => respond(request, repo.path) });
    repo = await createGitRepository({ files: { 'README.md': '# MCP end to end\n' } });
    dataDir = await createTempDir('claudine-mcp-e2e-worker-');
    leadHome = await createTempDir('claudine-mcp-e2e-lead-');
    coordinator = await startTestCoordinator(redis);
    worker = await startTestWorker(redis, {
      id: 'mcp-worker',
      dataDir: dataDir.path,
      // The real CLI, pointed at the scripted API (the worker passes ANTHROPIC_* to its agents).
      agent: `env ANTHROPIC_BASE_URL=${anthropic.url} ANTHROPIC_API_KEY=sk-mcp-e2e ${CLAUDE_BIN}`,
    });
    client = ClusterClient.connect(coordinator.grpcAddress);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await worker?.close();
    await coordinator?.close();
    await anthropic?.stop();
    await leadHome?.remove();
    await dataDir?.remove();
    await repo?.remove();
    await redis?.stop();
  }, 30_000);

  it(
    "delegates with DelegateTask, joins with WaitForTask, and the worker's result reaches the lead's answer",
    async () => {
      const mcpConfig = await writeLeadMcpConfig(leadHome.path, {
        command: process.execPath,
        args: [CLI, 'mcp', '--address', coordinator.grpcAddress],
      });
      const lead = await runLead({
        prompt: LEAD_PROMPT,
        mcpConfig,
        home: leadHome.path,
        // The gateway (started by the lead, in its directory) runs inside the repository, as with `claude mcp add`.
        cwd: repo.path,
        anthropicUrl: anthropic.url,
        apiKey: 'sk-mcp-e2e',
      });

      const init = lead.lines.find((line) => line.type === 'system' && line.subtype === 'init');
      expect(init?.mcp_servers).toEqual([{ name: 'claudine', status: 'connected' }]);
      expect(toolUses(lead).map((use) => use.name)).toEqual([DELEGATE, WAIT]);
      const result = lead.lines.find((line) => line.type === 'result');
      expect(result).toMatchObject({ subtype: 'success', is_error: false });
      expect(lead.exitCode).toBe(0);
      expect(result?.result).toBe(`The worker reports: ${WORKER_TEXT}`);

      // The task really ran on the worker, which answered the delegated prompt (the lead's
      // WaitForTask call names the task DelegateTask returned).
      const delegated = toolUses(lead)[1]?.input as { taskIds: string[] };
      expect(delegated.taskIds).toHaveLength(1);
      const task = await waitFor(
        async () => {
          const current = await client.get(delegated.taskIds[0]!);
          return current.state === 'completed' ? current : undefined;
        },
        { timeoutMs: 10_000, description: 'the delegated task recorded as completed' },
      );
      expect(task.result?.text).toBe(WORKER_TEXT);
      expect(task.spec.repository).toBe(repo.path);
      expect(task.attempts.map((attempt) => attempt.workerId)).toEqual(['mcp-worker']);
      const workerRequests = anthropic.requests.filter(
        (request) => request.turn !== null && !isLead(request.body),
      );
      expect(workerRequests.length).toBeGreaterThan(0);
      expect(JSON.stringify(workerRequests[0]?.body.messages)).toContain(WORKER_PROMPT);
    },
    LEAD_TIMEOUT_MS + 30_000,
  );
});

/** Routes by the conversation: the lead's starts with the lead's prompt, the worker agent's with the delegated one. */
function respond(request: ScriptedRequest, repository: string): ScriptedReply {
  return isLead(request.body) ? leadTurn(request, repository) : { kind: 'text', text: WORKER_TEXT };
}

function isLead(body: MessagesRequestBody): boolean {
  return JSON.stringify(body.messages ?? []).includes(LEAD_PROMPT);
}

/** The lead's plan, one step per request, decided by the tool call the last tool result answers. */
function leadTurn(request: ScriptedRequest, repository: string): ScriptedReply {
  // Without the tools (the gateway not connected when the turn was built) the lead could only guess.
  if (!offersDelegateAndWait(request.body)) {
    return { kind: 'text', text: 'the claudine MCP tools were not offered to the lead' };
  }
  const previous = previousToolUse(request.body);
  const [toolResult] = request.lastToolResults;
  if (previous === undefined || toolResult === undefined) {
    return { kind: 'tool_use', name: DELEGATE, input: { prompt: WORKER_PROMPT, repository } };
  }
  // A failed tool ends the lead with the error as its answer: the assertions then show it.
  if (toolResult.is_error) return { kind: 'text', text: `${previous.name} failed: ${toolResult.content}` };
  switch (previous.name) {
    case DELEGATE: {
      // DelegateTask's structuredContent: { task: <the task's view> }.
      const taskId = (JSON.parse(toolResult.content) as { task?: TaskView }).task?.id;
      if (!taskId) return { kind: 'text', text: `no task id in ${toolResult.content}` };
      return { kind: 'tool_use', name: WAIT, input: { taskIds: [taskId], mode: 'all', timeoutSeconds: 60 } };
    }
    case WAIT: {
      const waited = JSON.parse(toolResult.content) as WaitForTaskOutput;
      const [task] = waited.tasks;
      if (!waited.done || task?.state !== 'completed') {
        return { kind: 'text', text: `the task did not complete: ${toolResult.content}` };
      }
      return { kind: 'text', text: `The worker reports: ${task.result?.text ?? ''}` };
    }
    default:
      return { kind: 'text', text: `unexpected tool ${previous.name}` };
  }
}
