import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AppError, TaskSpecSchema, type Task, type TaskEvent } from '@claudine/core';
import { waitFor } from '@claudine/testing';
import type { ClaudineBackend } from './backend';
import { createClaudineMcpServer } from './server';

const TASK = 'task-0b6f3c1e-8d2a-4c55-9e0f-1a2b3c4d5e6f';

function runningTask(): Task {
  return {
    id: TASK,
    tenant: 'default',
    spec: TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo' }),
    state: 'running',
    createdAtMs: 1,
    updatedAtMs: 1,
    attempts: [],
  };
}

/**
 * The server's own behaviour over an in-memory transport, with a stand-in backend: what only a
 * stand-in can show deterministically (an abort reaching the Watch stream, an exact cut).
 * The real backend is covered by services/cli/test/mcp-stdio.test.ts.
 */
describe('createClaudineMcpServer', () => {
  const watchSignals: AbortSignal[] = [];
  let events: TaskEvent[] = [];
  const backend = {
    address: 'in-memory',
    get: (): Promise<Task> => Promise.resolve(runningTask()),
    async *watch(
      _taskId: string,
      options: { follow: boolean; signal?: AbortSignal },
    ): AsyncGenerator<TaskEvent> {
      if (!options.follow) {
        yield* events;
        return;
      }
      const signal = options.signal!;
      watchSignals.push(signal);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      throw new AppError('CANCELLED', 'stopped watching');
    },
  } as unknown as ClaudineBackend;

  let client: Client;
  let close: () => Promise<void>;

  beforeEach(async () => {
    const server = createClaudineMcpServer({ backend });
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'spec', version: '1' });
    await client.connect(clientSide);
    close = async () => {
      await client.close();
      await server.close();
    };
  });

  afterEach(() => close());

  it('stops a WaitForTask, and its Watch stream, when the client cancels the request', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'WaitForTask', arguments: { taskIds: [TASK] } }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => watchSignals.length === 1, { description: 'the Watch stream to open' });
    controller.abort('enough');
    await expect(call).rejects.toThrow();
    await waitFor(() => watchSignals[0]?.aborted, { description: 'the Watch stream to be cancelled' });
  });

  it('keeps the newest part of a long transcript within maxChars, saying what it cut', async () => {
    events = Array.from({ length: 500 }, (_, i) => ({
      taskId: TASK,
      offset: i + 1,
      timeMs: 1_000 + i,
      type: 'agent.text' as const,
      data: { text: `line ${i + 1} ${'x'.repeat(90)}` },
    }));
    const result = (await client.callTool({
      name: 'TaskLogs',
      arguments: { taskId: TASK, maxChars: 2_000 },
    })) as CallToolResult;
    const logs = result.structuredContent as {
      transcript: string;
      truncated: boolean;
      omittedChars: number;
      lastOffset: number;
      events: number;
    };
    expect(logs).toMatchObject({ truncated: true, lastOffset: 500, events: 500 });
    expect(logs.transcript.length).toBeLessThanOrEqual(2_000);
    expect(logs.transcript).toMatch(/^\[… \d+ earlier characters cut \(of \d+\)/);
    expect(logs.transcript.endsWith(`line 500 ${'x'.repeat(90)}`)).toBe(true);
    // Whole lines only after the marker.
    expect(logs.transcript.split('\n')[1]).toMatch(/^line \d+ x+$/);
    expect(logs.omittedChars + logs.transcript.length).toBeGreaterThan(500 * 95);
  });
});
