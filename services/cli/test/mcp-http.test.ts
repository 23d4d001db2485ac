import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CoordinatorService } from '@claudine/coordinator';
import { ClusterClient } from '@claudine/proto';
import {
  createGitRepository,
  createTempDir,
  createTlsFixture,
  startRedis,
  waitFor,
  type GitFixture,
  type RedisHarness,
  type TempDir,
  type TlsFixture,
} from '@claudine/testing';
import type { WorkerService } from '@claudine/worker';
import { startTestCoordinator, startTestWorker } from './support/in-process-cluster';

/**
 * MCP over Streamable HTTP on the coordinator (`/mcp`), with the MCP SDK's own client: real
 * coordinators and a worker in this process on a real Redis, a stand-in agent, a real repository.
 */
const AGENT = path.join(__dirname, 'fixtures', 'agent-leaves-a-trace.sh');

/** The tools of issue 8, with the original Claudine's names. */
const TOOLS = [
  'CancelSchedule',
  'CancelTask',
  'DelegateTask',
  'GetSchedule',
  'ListSchedules',
  'ListWorkers',
  'PauseSchedule',
  'ResumeSchedule',
  'ResumeTask',
  'RetryTask',
  'ScheduleTask',
  'TaskLogs',
  'TaskStatus',
  'WaitForTask',
];

interface TaskView {
  id: string;
  state: string;
  repository: string;
  result?: { text: string; branch: string };
}

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

const textOf = (result: ToolResult): string =>
  result.content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('\n');

/** The clients a test opened, closed after it. */
const open: Client[] = [];

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

async function connectMcp(url: string, options: { token?: string; fetch?: FetchLike } = {}): Promise<Client> {
  const client = new Client({ name: 'mcp-http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: options.token ? { headers: { authorization: `Bearer ${options.token}` } } : undefined,
    fetch: options.fetch,
  });
  await client.connect(transport);
  open.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** A raw HTTP exchange with exactly these headers (fetch would not let a test set Host). */
function rawRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** An MCP initialize request, as a client's first POST. */
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

describe('MCP over HTTP: tokens, tenants, audit, and a coordinator whose gRPC wants mutual TLS', () => {
  const TOKENS = {
    alice: 'alice-token-0123456789abcdef',
    bob: 'bob-token-0123456789abcdef0',
    root: 'root-token-0123456789abcdef',
  } as const;
  let redis: RedisHarness;
  let repo: GitFixture;
  let dataDir: TempDir;
  let tls: TlsFixture;
  let coordinator: CoordinatorService;
  let worker: WorkerService;
  let admin: ClusterClient;
  let url: string;
  let gates: TempDir;

  /** MCP requests the coordinator is serving now, from its /metrics. */
  async function requestsInFlight(): Promise<number> {
    const response = await fetch(coordinator.metricsUrl, {
      headers: { authorization: `Bearer ${TOKENS.root}` },
    });
    const line = /^claudine_mcp_http_requests_in_flight(?:\{[^}]*\})? (\d+)$/m.exec(await response.text());
    if (!line) throw new Error('no claudine_mcp_http_requests_in_flight in /metrics');
    return Number(line[1]);
  }

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository({ files: { 'README.md': '# mcp over http\n' } });
    dataDir = await createTempDir('claudine-mcp-http-');
    gates = await createTempDir('claudine-mcp-gates-');
    tls = await createTlsFixture();
    coordinator = await startTestCoordinator(redis, {
      CLAUDINE_API_TOKENS: JSON.stringify([
        { name: 'alice', tenant: 'team-a', token: TOKENS.alice },
        { name: 'bob', tenant: 'team-b', token: TOKENS.bob },
        { name: 'root', tenant: 'ops', token: TOKENS.root, admin: true },
      ]),
      // gRPC wants client certificates the coordinator itself does not hold: /mcp still works, as
      // it reaches the API through its internal socket.
      CLAUDINE_TLS_CERT_FILE: tls.serverCert,
      CLAUDINE_TLS_KEY_FILE: tls.serverKey,
      CLAUDINE_TLS_CLIENT_CA_FILE: tls.caCert,
      CLAUDINE_MCP_PORT: '0',
      CLAUDINE_MCP_MAX_BODY_BYTES: '65536',
      CLAUDINE_MCP_PROGRESS_MS: '200',
    });
    url = coordinator.mcpUrl!;
    admin = ClusterClient.connect(coordinator.grpcAddress, {
      token: TOKENS.root,
      tlsCaFile: tls.caCert,
      tlsCertFile: tls.clientCert,
      tlsKeyFile: tls.clientKey,
    });
    worker = await startTestWorker(redis, { id: 'mcp-worker', dataDir: dataDir.path, agent: AGENT });
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await worker?.close();
    await coordinator?.close();
    await repo?.remove();
    await dataDir?.remove();
    await gates?.remove();
    await tls?.remove();
    await redis?.stop();
  }, 60_000);

  it('serves /mcp on its own port, and lists the 14 tools', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connectMcp(url, { token: TOKENS.alice });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) expect(tool.outputSchema).toBeDefined();
  });

  it('delegates a task, waits for it and reads its status, acting as the token', async () => {
    const client = await connectMcp(url, { token: TOKENS.alice });
    const delegated = await call(client, 'DelegateTask', { prompt: 'write a note', repository: repo.path });
    expect(delegated.isError).toBeFalsy();
    const { task } = delegated.structuredContent as { task: TaskView };
    expect(task.id).toMatch(/^task-/);

    const waited = await call(client, 'WaitForTask', { taskIds: [task.id], timeoutSeconds: 60 });
    expect(waited.isError).toBeFalsy();
    const joined = waited.structuredContent as { done: boolean; timedOut: boolean; tasks: TaskView[] };
    expect(joined).toMatchObject({ done: true, timedOut: false });
    expect(joined.tasks).toEqual([
      expect.objectContaining({
        id: task.id,
        state: 'completed',
        result: expect.objectContaining({ text: `done by ${task.id}` }),
      }),
    ]);

    const status = await call(client, 'TaskStatus', { taskId: task.id });
    expect(status.isError).toBeFalsy();
    expect((status.structuredContent as { task: TaskView }).task).toMatchObject({
      id: task.id,
      state: 'completed',
      repository: repo.path,
    });
    // The task belongs to alice's tenant, as if she had called gRPC.
    expect((await admin.get(task.id)).tenant).toBe('team-a');

    // The audit trail names the token, and the HTTP client rather than the internal socket.
    const entries = await admin.listAudit({ tenant: 'team-a' });
    expect(entries).toContainEqual(
      expect.objectContaining({
        tokenName: 'alice',
        tenant: 'team-a',
        target: task.id,
        outcome: 'OK',
        peer: expect.stringMatching(/^mcp-http:127\.0\.0\.1:\d+$/),
      }),
    );
    expect(entries.find((entry) => entry.target === task.id)?.method).toMatch(/Delegate$/);
  });

  it('lists the workers', async () => {
    const client = await connectMcp(url, { token: TOKENS.bob });
    const listed = await call(client, 'ListWorkers', {});
    expect(listed.isError).toBeFalsy();
    expect((listed.structuredContent as { workers: { id: string }[] }).workers).toContainEqual(
      expect.objectContaining({ id: 'mcp-worker' }),
    );
  });

  it("does not show one tenant's task to another", async () => {
    const alice = await connectMcp(url, { token: TOKENS.alice });
    const bob = await connectMcp(url, { token: TOKENS.bob });
    const { task } = (await call(alice, 'DelegateTask', { prompt: 'private work', repository: repo.path }))
      .structuredContent as { task: TaskView };
    const seen = await call(bob, 'TaskStatus', { taskId: task.id });
    expect(seen.isError).toBe(true);
    expect(textOf(seen)).toMatch(/not (be )?found|does not exist/i);
    const listed = await call(bob, 'TaskStatus', {});
    expect(JSON.stringify(listed.structuredContent)).not.toContain(task.id);
    await call(alice, 'WaitForTask', { taskIds: [task.id], timeoutSeconds: 60 });
  });

  it('calls every other tool', async () => {
    const client = await connectMcp(url, { token: TOKENS.alice });
    const ok = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const result = await call(client, name, args);
      expect({ name, isError: result.isError ?? false, text: textOf(result) }).toMatchObject({
        isError: false,
      });
      return result.structuredContent!;
    };
    const taskOf = (structured: Record<string, unknown>): TaskView => structured.task as TaskView;
    const first = taskOf(await ok('DelegateTask', { prompt: 'first note', repository: repo.path }));
    await ok('WaitForTask', { taskIds: [first.id], timeoutSeconds: 60 });

    const logs = await ok('TaskLogs', { taskId: first.id, tail: 50 });
    expect(logs).toMatchObject({ taskId: first.id, state: 'completed', truncated: false });
    expect(logs.transcript).toContain(`done by ${first.id}`);

    const retried = taskOf(await ok('RetryTask', { taskId: first.id }));
    const resumed = taskOf(
      await ok('ResumeTask', { taskId: first.id, additionalContext: 'and one more line' }),
    );
    const waited = await ok('WaitForTask', { taskIds: [retried.id, resumed.id], timeoutSeconds: 60 });
    expect((waited.tasks as TaskView[]).map((task) => task.state)).toEqual(['completed', 'completed']);

    const gated = taskOf(
      await ok('DelegateTask', {
        prompt: `gate:${path.join(gates.path, 'never')} wait`,
        repository: repo.path,
      }),
    );
    expect(taskOf(await ok('CancelTask', { taskId: gated.id, reason: 'not needed' })).id).toBe(gated.id);
    const cancelled = await ok('WaitForTask', { taskIds: [gated.id], timeoutSeconds: 60 });
    expect((cancelled.tasks as TaskView[])[0]?.state).toBe('cancelled');

    const scheduled = (
      await ok('ScheduleTask', { prompt: 'weekday note', repository: repo.path, cron: '0 9 * * 1-5' })
    ).schedule as { id: string; state: string };
    expect(scheduled.state).toBe('active');
    const listed = await ok('ListSchedules', {});
    expect(listed.schedules).toContainEqual(expect.objectContaining({ id: scheduled.id }));
    expect((await ok('GetSchedule', { scheduleId: scheduled.id })).schedule).toMatchObject({
      id: scheduled.id,
    });
    expect((await ok('PauseSchedule', { scheduleId: scheduled.id })).schedule).toMatchObject({
      state: 'paused',
    });
    expect((await ok('ResumeSchedule', { scheduleId: scheduled.id })).schedule).toMatchObject({
      state: 'active',
    });
    expect((await ok('CancelSchedule', { scheduleId: scheduled.id })).schedule).toMatchObject({
      state: 'cancelled',
    });
  });

  it('sends progress notifications in the response of a waiting WaitForTask', async () => {
    const gate = path.join(gates.path, 'progress');
    const client = await connectMcp(url, { token: TOKENS.alice });
    const { task } = (
      await call(client, 'DelegateTask', { prompt: `gate:${gate} take your time`, repository: repo.path })
    ).structuredContent as { task: TaskView };
    const progress: string[] = [];
    const waiting = client.callTool({ name: 'WaitForTask', arguments: { taskIds: [task.id] } }, undefined, {
      onprogress: (notification) => progress.push(notification.message ?? ''),
    });
    // The task cannot end before the gate opens: these notifications are the periodic ones.
    await waitFor(() => progress.length >= 2, { description: 'two progress notifications' });
    await writeFile(gate, '');
    const waited = (await waiting) as ToolResult;
    expect((waited.structuredContent as { tasks: TaskView[] }).tasks[0]?.state).toBe('completed');
  });

  it('stops waiting, and releases the request, when the client goes away', async () => {
    const gate = path.join(gates.path, 'abandoned');
    const client = await connectMcp(url, { token: TOKENS.alice });
    const { task } = (
      await call(client, 'DelegateTask', { prompt: `gate:${gate} nobody waits`, repository: repo.path })
    ).structuredContent as { task: TaskView };
    expect(await requestsInFlight()).toBe(0);
    const waiting = call(client, 'WaitForTask', { taskIds: [task.id] }).catch((error: unknown) => error);
    await waitFor(async () => (await requestsInFlight()) === 1, {
      description: 'the WaitForTask being served',
    });
    await client.close();
    expect(await waiting).toBeInstanceOf(Error);
    await waitFor(async () => (await requestsInFlight()) === 0, { description: 'the request released' });
    await writeFile(gate, '');
    await waitFor(async () => (await admin.get(task.id)).state === 'completed', {
      description: 'the abandoned task completed',
    });
  });

  it('refuses a missing or wrong token with 401 and WWW-Authenticate: Bearer', async () => {
    const anonymous = await connectMcp(url).catch((error: unknown) => error);
    expect(anonymous).toBeInstanceOf(StreamableHTTPError);
    expect((anonymous as StreamableHTTPError).code).toBe(401);
    const wrong = await connectMcp(url, { token: 'not-a-token-0123456789' }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(StreamableHTTPError);
    expect((wrong as StreamableHTTPError).code).toBe(401);

    const missing = await rawRequest(url, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const invalid = await rawRequest(url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: 'Bearer not-a-token-0123456789' },
      body: INITIALIZE,
    });
    expect(invalid.status).toBe(401);
    expect(invalid.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('refuses a foreign Host or Origin (DNS rebinding), GET and DELETE, and a body over the limit', async () => {
    const authorized = { ...MCP_HEADERS, authorization: `Bearer ${TOKENS.root}` };
    const { port } = new URL(url);
    const foreignHost = await rawRequest(url, {
      method: 'POST',
      headers: { ...authorized, host: `evil.example:${port}` },
      body: INITIALIZE,
    });
    expect(foreignHost.status).toBe(403);
    expect(JSON.parse(foreignHost.body)).toMatchObject({
      error: { message: expect.stringContaining('Host "evil.example" is not allowed') },
    });
    const foreignOrigin = await rawRequest(url, {
      method: 'POST',
      headers: { ...authorized, origin: 'http://evil.example' },
      body: INITIALIZE,
    });
    expect(foreignOrigin.status).toBe(403);
    const localOrigin = await rawRequest(url, {
      method: 'POST',
      headers: { ...authorized, origin: 'http://localhost:6274', host: `localhost:${port}` },
      body: INITIALIZE,
    });
    expect(localOrigin.status).toBe(200);

    for (const method of ['GET', 'DELETE']) {
      const refused = await rawRequest(url, { method, headers: authorized });
      expect(refused.status).toBe(405);
      expect(refused.headers.allow).toBe('POST');
    }

    const before = (await admin.list({})).tasks.length;
    const tooLarge = await rawRequest(url, {
      method: 'POST',
      headers: authorized,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'DelegateTask', arguments: { prompt: 'x'.repeat(70_000), repository: repo.path } },
      }),
    });
    expect(tooLarge.status).toBe(413);
    expect((await admin.list({})).tasks).toHaveLength(before);
  });
});

describe('MCP over HTTP on several coordinators', () => {
  let redis: RedisHarness;
  let repo: GitFixture;
  let dataDir: TempDir;
  let coordinators: CoordinatorService[] = [];
  let worker: WorkerService;

  beforeAll(async () => {
    redis = await startRedis();
    repo = await createGitRepository({ files: { 'README.md': '# two coordinators\n' } });
    dataDir = await createTempDir('claudine-mcp-http-many-');
    coordinators = [
      await startTestCoordinator(redis, { CLAUDINE_MCP_PORT: '0', CLAUDINE_COORDINATOR_ID: 'mcp-one' }),
      // On every interface: the Host header is not checked, a foreign Origin still is.
      await startTestCoordinator(redis, {
        CLAUDINE_MCP_PORT: '0',
        CLAUDINE_MCP_HOST: '0.0.0.0',
        CLAUDINE_COORDINATOR_ID: 'mcp-two',
      }),
    ];
    worker = await startTestWorker(redis, { id: 'mcp-many-worker', dataDir: dataDir.path, agent: AGENT });
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    for (const coordinator of coordinators) await coordinator.close();
    await repo?.remove();
    await dataDir?.remove();
    await redis?.stop();
  }, 60_000);

  it('answers on each coordinator', async () => {
    for (const coordinator of coordinators) {
      const client = await connectMcp(coordinator.mcpUrl!);
      const listed = await call(client, 'ListWorkers', {});
      expect(listed.isError).toBeFalsy();
      expect((listed.structuredContent as { workers: { id: string }[] }).workers).toContainEqual(
        expect.objectContaining({ id: 'mcp-many-worker' }),
      );
    }
  });

  it('bound to every interface, takes any Host but refuses a foreign Origin', async () => {
    const url = coordinators[1]!.mcpUrl!;
    const { port } = new URL(url);
    const named = await rawRequest(url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, host: `claudine.example:${port}` },
      body: INITIALIZE,
    });
    expect(named.status).toBe(200);
    const foreign = await rawRequest(url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
      body: INITIALIZE,
    });
    expect(foreign.status).toBe(403);
  });

  it('serves one client whose requests go to one coordinator and then the other (stateless)', async () => {
    // One address in front of two coordinators, as a round-robin balancer would spread it.
    const urls = coordinators.map((coordinator) => coordinator.mcpUrl!);
    const served: string[] = [];
    const roundRobin: FetchLike = (_url, init) => {
      const target = urls[served.length % urls.length]!;
      served.push(target);
      return fetch(target, init);
    };
    const client = await connectMcp(urls[0]!, { fetch: roundRobin });
    const { task } = (await call(client, 'DelegateTask', { prompt: 'round robin', repository: repo.path }))
      .structuredContent as { task: TaskView };
    const waited = await call(client, 'WaitForTask', { taskIds: [task.id], timeoutSeconds: 60 });
    expect((waited.structuredContent as { tasks: TaskView[] }).tasks[0]).toMatchObject({
      id: task.id,
      state: 'completed',
    });
    const status = await call(client, 'TaskStatus', { taskId: task.id });
    expect((status.structuredContent as { task: TaskView }).task.state).toBe('completed');
    expect(new Set(served)).toEqual(new Set(urls));
  });
});
