import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { ClusterClient } from '@claudine/proto';
import type { WorkerService } from '@claudine/worker';
import {
  createGitRepository,
  createTempDir,
  runClaude,
  startRedis,
  startScriptedAnthropic,
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
 * The real Claude Code CLI as the MCP client of the coordinator's own /mcp endpoint (Streamable
 * HTTP, with a bearer token in the MCP config's headers): the lead session delegates a task and
 * joins it with WaitForTask; a worker with a stand-in agent runs it. The scripted Messages API
 * plays the lead's model. (mcp-claude-code.test.ts does the same through `claudine mcp` over
 * stdio, with the real CLI as the worker's agent too.)
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');
const LEAD_TIMEOUT_MS = 90_000;
const DELEGATE = 'mcp__claudine__DelegateTask';
const WAIT = 'mcp__claudine__WaitForTask';
const LEAD_PROMPT = 'Delegate the note to the cluster over HTTP and tell me what the worker said.';
const TOKEN = 'lead-token-0123456789abcdef';

interface TaskView {
  id: string;
  state: string;
  result?: { text: string };
}

describe('MCP end to end over HTTP: Claude Code calls the coordinator’s /mcp', () => {
  let redis: RedisHarness;
  let anthropic: ScriptedAnthropic;
  let repo: GitFixture;
  let dataDir: TempDir;
  let leadHome: TempDir;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let admin: ClusterClient;

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository({ files: { 'README.md': '# MCP over HTTP, end to end\n' } });
    anthropic = await startScriptedAnthropic({ respond: (request) => leadTurn(request, repo.path) });
    dataDir = await createTempDir('claudine-mcp-http-e2e-worker-');
    leadHome = await createTempDir('claudine-mcp-http-e2e-lead-');
    coordinator = await startTestCoordinator(redis, {
      CLAUDINE_API_TOKENS: JSON.stringify([{ name: 'lead', tenant: 'team-lead', token: TOKEN }]),
      CLAUDINE_MCP_PORT: '0',
    });
    worker = await startTestWorker(redis, { id: 'mcp-http-worker', dataDir: dataDir.path, agent: AGENT });
    admin = ClusterClient.connect(coordinator.grpcAddress, { token: TOKEN });
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await worker?.close();
    await coordinator?.close();
    await anthropic?.stop();
    await leadHome?.remove();
    await dataDir?.remove();
    await repo?.remove();
    await redis?.stop();
  }, 30_000);

  it(
    'delegates with DelegateTask, joins with WaitForTask, and the result reaches the lead’s answer',
    async () => {
      const mcpConfig = path.join(leadHome.path, 'mcp.json');
      await writeFile(
        mcpConfig,
        JSON.stringify({
          mcpServers: {
            claudine: {
              type: 'http',
              url: coordinator.mcpUrl,
              headers: { Authorization: `Bearer ${TOKEN}` },
              // The first turn waits for this server's tools (see mcp-claude-code.test.ts).
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
          '--allowedTools',
          `${DELEGATE},${WAIT}`,
        ],
        {
          cwd: leadHome.path,
          env: {
            PATH: process.env.PATH,
            HOME: leadHome.path,
            ANTHROPIC_BASE_URL: anthropic.url,
            ANTHROPIC_API_KEY: 'sk-mcp-http-e2e',
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
      const uses = toolUses(lead);
      expect(uses.map((use) => use.name)).toEqual([DELEGATE, WAIT]);
      const taskId = (uses[1]?.input as { taskIds: string[] }).taskIds[0]!;
      const result = lead.lines.find((line) => line.type === 'result');
      expect(result).toMatchObject({ subtype: 'success', is_error: false });
      expect(result?.result).toBe(`The worker said: done by ${taskId}`);
      expect(lead.exitCode).toBe(0);

      // The task ran for the lead's token, and the audit trail says it came over /mcp.
      const task = await admin.get(taskId);
      expect(task).toMatchObject({ state: 'completed', tenant: 'team-lead' });
      expect(task.spec.repository).toBe(repo.path);
      expect(await admin.listAudit({})).toContainEqual(
        expect.objectContaining({
          tokenName: 'lead',
          target: taskId,
          peer: expect.stringMatching(/^mcp-http:/),
        }),
      );
    },
    LEAD_TIMEOUT_MS + 30_000,
  );
});

/** The lead's plan, one step per request: delegate, then wait, then answer with the result. */
function leadTurn(request: ScriptedRequest, repository: string): ScriptedReply {
  const offered = (request.body.tools ?? []).map((tool) => (tool as { name?: unknown }).name);
  if (!offered.includes(DELEGATE) || !offered.includes(WAIT))
    return { kind: 'text', text: 'the claudine MCP tools were not offered to the lead' };
  const previous = previousToolUse(request.body);
  const [toolResult] = request.lastToolResults;
  if (previous === undefined || toolResult === undefined)
    return { kind: 'tool_use', name: DELEGATE, input: { prompt: 'write a note', repository } };
  if (toolResult.is_error) return { kind: 'text', text: `${previous} failed: ${toolResult.content}` };
  if (previous === DELEGATE) {
    // Claude Code gives the model the JSON of structuredContent: { task: <the task's view> }.
    const taskId = (JSON.parse(toolResult.content) as { task?: TaskView }).task?.id;
    if (!taskId) return { kind: 'text', text: `no task id in ${toolResult.content}` };
    return { kind: 'tool_use', name: WAIT, input: { taskIds: [taskId], timeoutSeconds: 60 } };
  }
  const [task] = (JSON.parse(toolResult.content) as { tasks: TaskView[] }).tasks;
  if (task?.state !== 'completed') return { kind: 'text', text: `not completed: ${toolResult.content}` };
  return { kind: 'text', text: `The worker said: ${task.result?.text ?? ''}` };
}

/** The name of the tool the conversation's last assistant message called. */
function previousToolUse(body: MessagesRequestBody): string | undefined {
  const assistant = (body.messages ?? []).filter((message) => message.role === 'assistant').at(-1);
  if (assistant === undefined || typeof assistant.content === 'string') return undefined;
  const use = assistant.content.find((block: ContentBlock) => block.type === 'tool_use');
  return use === undefined ? undefined : String(use.name);
}

function toolUses(run: ClaudeRun): Array<{ name: string; input: unknown }> {
  return run.lines
    .filter((line) => line.type === 'assistant')
    .flatMap((line) => (line.message as { content: ContentBlock[] }).content)
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ name: String(block.name), input: block.input }));
}
