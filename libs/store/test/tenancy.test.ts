import { newTaskId, TaskSpecSchema, type Task } from '@claudine/core';
import type { Redis } from 'ioredis';
import { AuditLog } from '../src/audit-log';
import type { Keyspace } from '../src/keyspace';
import { createTaskQueue, type TaskQueue } from '../src/task-queue';
import { TaskStore } from '../src/task-store';
import { freshKeyspace, useStoreRedis } from './support/store-redis';

const spec = TaskSpecSchema.parse({ prompt: 'p', repository: '/srv/repo' });

describe('tenants in the store', () => {
  const db = useStoreRedis();
  let redis: Redis;
  let keys: Keyspace;
  let queue: TaskQueue;

  beforeEach(() => {
    redis = db.redis;
    keys = freshKeyspace(db);
    queue = createTaskQueue(redis, keys);
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  /** Every page of one tenant's list, followed to the end. */
  async function allPages(
    store: TaskStore,
    input: { tenant: string; pageSize: number; states?: Task['state'][] },
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ ...input, pageToken });
      expect(page.tasks.length).toBeLessThanOrEqual(input.pageSize);
      for (const task of page.tasks) expect(task.tenant).toBe(input.tenant);
      ids.push(...page.tasks.map((task) => task.id));
      pageToken = page.nextPageToken || undefined;
      pages++;
    } while (pageToken !== undefined && pages < 200);
    return { ids, pages };
  }

  it("pages one tenant's tasks exactly, across scan batches, budgets and several state indexes", async () => {
    // Tiny batches and budget, so every path of the scan runs on a few tasks.
    const store = new TaskStore(redis, keys, { listScanBatch: 3, listScanBudget: 7 });
    const ofA: { id: string; at: number }[] = [];
    for (let i = 0; i < 40; i++) {
      const tenant = i % 5 === 0 ? 'a' : 'b';
      const id = newTaskId();
      // Some share a creation time: ties are ordered by id.
      const at = 1_000 + Math.floor(i / 2);
      await store.create(queue, id, spec, at, { tenant });
      if (tenant === 'a') ofA.push({ id, at });
    }
    // Cancel some, so two state indexes are merged.
    for (const { id } of ofA.filter((_, i) => i % 2 === 0)) await store.cancel(id, 'test');
    const newestFirst = [...ofA].sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : -1)).map(({ id }) => id);

    for (const pageSize of [1, 2, 3, 8]) {
      expect((await allPages(store, { tenant: 'a', pageSize })).ids).toEqual(newestFirst);
      expect((await allPages(store, { tenant: 'a', pageSize, states: ['queued', 'cancelled'] })).ids).toEqual(
        newestFirst,
      );
    }
    expect((await allPages(store, { tenant: 'nobody', pageSize: 5 })).ids).toEqual([]);
    // Without a tenant, both tenants' tasks.
    expect((await store.list({ pageSize: 100 })).tasks).toHaveLength(40);
    expect(await store.tenantOf(ofA[0]!.id)).toBe('a');
    expect(await store.tenantOf(newTaskId())).toBeUndefined();
  });

  it('reads a task written before tenancy as the default tenant', async () => {
    const store = new TaskStore(redis, keys);
    const id = newTaskId();
    await store.create(queue, id, spec, 5);
    await redis.hdel(keys.task(id), 'tenant');
    expect((await store.get(id))?.tenant).toBe('default');
    expect((await store.list({ pageSize: 10, tenant: 'default' })).tasks.map((task) => task.id)).toEqual([
      id,
    ]);
  });

  it('keeps an audit trail, newest first, filtered by tenant and time, capped', async () => {
    const audit = new AuditLog(redis, keys, { maxEntries: 1_000 });
    for (let i = 0; i < 30; i++)
      await audit.append({
        tokenName: i % 3 === 0 ? 'alice' : 'bob',
        tenant: i % 3 === 0 ? 'a' : 'b',
        method: 'TaskService/Cancel',
        target: `t${i}`,
        outcome: 'OK',
        peer: 'ipv4:127.0.0.1:1234',
      });
    const ofA = await audit.list({ sinceMs: 0, limit: 4, tenant: 'a' });
    expect(ofA.map((entry) => entry.target)).toEqual(['t27', 't24', 't21', 't18']);
    expect(ofA[0]).toMatchObject({ tokenName: 'alice', tenant: 'a', peer: 'ipv4:127.0.0.1:1234' });
    expect((await audit.list({ sinceMs: 0, limit: 100 })).length).toBe(30);
    expect(await audit.list({ sinceMs: Date.now() + 60_000, limit: 100 })).toEqual([]);
    await redis.del(keys.audit);
  });
});
