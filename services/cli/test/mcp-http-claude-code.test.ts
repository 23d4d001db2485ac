import path from 'node:path';
import type { CoordinatorService } from '@claudine/coordinator';
import { ClusterClient } from '@claudine/proto';
import type { WorkerService } from '@claudine/worker';
import {
  createGitRepository,
  createTempDir,
  startRedis,
  startScriptedAnthropic,
  type GitFixture,
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
 * The real Claude Code CLI as the MCP client of the coordinator's own /mcp endpoint (Streamable
 * HTTP, with a bearer token in the MCP config's headers): the lead session delegates a task and
 * joins it with WaitForTask; a worker with a stand-in agent runs it. The scripted Messages API
 * plays the lead's model. (mcp-claude-code.test.ts does the same through `claudine mcp` over
 * stdio, with the real CLI as the worker's agent too.)
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');
const LEAD_PROMPT = 'Delegate the note to the cluster over HTTP and tell me what the worker said.';
const TOKEN = 'lead-token-0123456789abcdef';

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
      const mcpConfig = await writeLeadMcpConfig(leadHome.path, {
        type: 'http',
        url: coordinator.mcpUrl,
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      const lead = await runLead({
        prompt: LEAD_PROMPT,
        mcpConfig,
        home: leadHome.path,
        cwd: leadHome.path,
        anthropicUrl: anthropic.url,
        apiKey: 'sk-mcp-http-e2e',
      });

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
  if (!offersDelegateAndWait(request.body))
    return { kind: 'text', text: 'the claudine MCP tools were not offered to the lead' };
  const previous = previousToolUse(request.body)?.name;
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
