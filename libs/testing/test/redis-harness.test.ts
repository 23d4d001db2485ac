import Redis from 'ioredis';
import { startRedis, type RedisHarness } from '../src';

const harnesses: RedisHarness[] = [];
const clients: Redis[] = [];
let savedRedisUrl: string | undefined;

// These tests are about the harness starting its own server, so hide an outer REDIS_URL.
beforeAll(() => {
  savedRedisUrl = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
});

afterAll(() => {
  if (savedRedisUrl !== undefined) process.env.REDIS_URL = savedRedisUrl;
});

afterEach(async () => {
  for (const client of clients.splice(0)) await close(client);
  for (const harness of harnesses.splice(0)) await harness.stop();
  delete process.env.REDIS_URL;
});

async function start(): Promise<RedisHarness> {
  const harness = await startRedis();
  harnesses.push(harness);
  return harness;
}

/**
 * quit() waits for the socket to close. disconnect() would arm a 2 s ioredis timer that only a later
 * socket 'close' clears, so on a client whose connection already failed it lingers as an open handle.
 */
async function close(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit();
  else if (client.status !== 'end') client.disconnect();
}

/** A client that fails at once instead of reconnecting forever, for probing a stopped server. */
function connect(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  clients.push(client);
  return client;
}

describe('startRedis', () => {
  it('starts a Redis that answers PING and gives each harness its own hash-tagged prefix', async () => {
    const [first, second] = await Promise.all([start(), start()]);

    const client = connect(first.url);
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    await client.set(`${first.keyPrefix}:probe`, 'x');
    expect(await client.get(`${first.keyPrefix}:probe`)).toBe('x');
    expect(first.keyPrefix).toMatch(/^\{claudine-test-[0-9a-f]{8}\}$/);
    expect(second.keyPrefix).toMatch(/^\{claudine-test-[0-9a-f]{8}\}$/);
    expect(first.keyPrefix).not.toBe(second.keyPrefix);
    expect(first.url).not.toBe(second.url);
  });

  it('stop() really ends the server, and twice is harmless', async () => {
    const harness = await start();

    await harness.stop();
    await harness.stop();

    await expect(connect(harness.url).connect()).rejects.toThrow(/ECONNREFUSED|Connection is closed/);
  });

  it('uses REDIS_URL when set, and then leaves that server running on stop()', async () => {
    const owned = await start();
    process.env.REDIS_URL = owned.url;

    const shared = await start();
    await shared.stop();

    expect(shared.url).toBe(owned.url);
    expect(shared.keyPrefix).not.toBe(owned.keyPrefix);
    const client = connect(owned.url);
    await client.connect();
    expect(await client.ping()).toBe('PONG');
  });
});
