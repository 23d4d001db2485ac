import { Counter, Registry } from 'prom-client';
import { bearerTokenAuthorizer, startOpsServer, type OpsServer } from './http-endpoints';

describe('ops endpoints', () => {
  const token = 'metrics-token-0123456789';
  let server: OpsServer;

  beforeAll(async () => {
    const registry = new Registry();
    new Counter({ name: 'claudine_test_total', help: 'a test counter', registers: [registry] }).inc();
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      readiness: () => Promise.resolve(),
      authorizeMetrics: bearerTokenAuthorizer(token),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  const get = (path: string, authorization?: string) =>
    fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} });

  it('serves /metrics only with the bearer token', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', 'Bearer wrong-token-0123456789')).status).toBe(401);
    expect((await get('/metrics', token)).status).toBe(401);
    const allowed = await get('/metrics', `Bearer ${token}`);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('claudine_test_total 1');
  });

  it('keeps the probes open', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
  });
});
