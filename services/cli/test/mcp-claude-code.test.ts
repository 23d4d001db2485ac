import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { ClusterClient } from '@claudine/proto';
import type { WorkerService } from '@claudine/worker';
import {
  CLAUDE_BIN,
  createGitRepository,
  createTempDir,
  runClaude,
  startRedis,
  startScriptedAnthropic,
  waitFor,
  type ClaudeRun,
  type ContentBlock,
  type GitFixture,
  type MessagesRequestBody,
  type RedisHarness,
  type ScriptedAnthropic,
  type ScriptedReply,
  type ScriptedRequest,
  type TempDir,
} from '@claudine/testing';
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
const LEAD_TIMEOUT_MS = 90_000;
const DELEGATE = 'mcp__claudine__DelegateTask';
const WAIT = 'mcp__claudine__WaitForTask';
const LEAD_PROMPT = 'Delegate the question to the cluster and tell me what the worker found.';
const WORKER_PROMPT = 'Find the answer to the ultimate question and report it.';
const WORKER_TEXT = `The answer is 42 (worker ${Math.random().toString(36).slice(2, 10)})`;

interface TaskView {
  id: string;
  state: string;
  result?: { text: string };
}

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
      const mcpConfig = path.join(leadHome.path, 'mcp.json');
      await writeFile(
        mcpConfig,
        JSON.stringify({
          mcpServers: {
            claudine: {
              command: process.execPath,
              args: [CLI, 'mcp', '--address', coordinator.grpcAddress],
              // Claude Code connects MCP servers in the background, so a headless session's first
              // turn can be built before `claudine mcp` is up (it takes a second or two to start)
              // and lack its tools: alwaysLoad makes the CLI wait for this server, for up to
              // MCP_CONNECT_TIMEOUT_MS (5 s by default, raised below for a loaded machine).
              alwaysLoad: true,
            },
          },
        }),
      );

      const lead = await runClaude(
        [
          '-p',
          LEAD_PROMPT,
          '--output-format',
          'stream-json',
          '--verbose',
          '--mcp-config',
          mcpConfig,
          '--strict-mcp-config',
          // In -p mode an MCP tool runs only when a rule allows it (every permission mode denies it otherwise).
          '--allowedTools',
          `${DELEGATE},${WAIT}`,
        ],
        {
          // The gateway (started by the lead, in its directory) runs inside the repository, as with `claude mcp add`.
          cwd: repo.path,
          env: {
            PATH: process.env.PATH,
            HOME: leadHome.path,
            ANTHROPIC_BASE_URL: anthropic.url,
            ANTHROPIC_API_KEY: 'sk-mcp-e2e',
            CLAUDE_CONFIG_DIR: path.join(leadHome.path, 'claude-config'),
            DISABLE_AUTOUPDATER: '1',
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
            MCP_CONNECT_TIMEOUT_MS: '30000',
          },
          timeoutMs: LEAD_TIMEOUT_MS,
        },
      );

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

function offersTool(body: MessagesRequestBody, name: string): boolean {
  return (body.tools ?? []).some((tool) => (tool as { name?: unknown }).name === name);
}

/** The lead's plan, one step per request, decided by the tool call the last tool result answers. */
function leadTurn(request: ScriptedRequest, repository: string): ScriptedReply {
  // Without the tools (the gateway not connected when the turn was built) the lead could only guess.
  if (!offersTool(request.body, DELEGATE) || !offersTool(request.body, WAIT)) {
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

/** The tool_use of the conversation's last assistant message, which the final user message answers. */
function previousToolUse(body: MessagesRequestBody): { name: string; input: unknown } | undefined {
  const assistant = (body.messages ?? []).filter((message) => message.role === 'assistant').at(-1);
  if (assistant === undefined || typeof assistant.content === 'string') return undefined;
  const use = assistant.content.find((block: ContentBlock) => block.type === 'tool_use');
  return use === undefined ? undefined : { name: String(use.name), input: use.input };
}

function toolUses(run: ClaudeRun): Array<{ name: string; input: unknown }> {
  return run.lines
    .filter((line) => line.type === 'assistant')
    .flatMap((line) => (line.message as { content: ContentBlock[] }).content)
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ name: String(block.name), input: block.input }));
}
