import { loadConfig } from '../config';

/** CLAUDINE_MCP_*: the endpoint is off unless a port is given, and bad values are named. */
describe('MCP over HTTP configuration', () => {
  it('is off without CLAUDINE_MCP_PORT', () => {
    expect(loadConfig({}).mcp).toBeUndefined();
  });

  it('takes a port, with defaults for the rest', () => {
    expect(loadConfig({ CLAUDINE_MCP_PORT: '0' }).mcp).toEqual({
      host: '127.0.0.1',
      port: 0,
      allowedHosts: [],
      maxBodyBytes: 1024 * 1024,
      progressIntervalMs: 15_000,
    });
    expect(
      loadConfig({
        CLAUDINE_MCP_HOST: '0.0.0.0',
        CLAUDINE_MCP_PORT: '50552',
        CLAUDINE_MCP_ALLOWED_HOSTS: 'claudine.internal, 10.0.0.5',
      }).mcp,
    ).toMatchObject({ host: '0.0.0.0', port: 50552, allowedHosts: ['claudine.internal', '10.0.0.5'] });
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ CLAUDINE_MCP_PORT: '70000' })).toThrow(/CLAUDINE_MCP_PORT/);
    expect(() =>
      loadConfig({ CLAUDINE_MCP_PORT: '0', CLAUDINE_MCP_ALLOWED_HOSTS: 'https://x.example' }),
    ).toThrow(/CLAUDINE_MCP_ALLOWED_HOSTS/);
    expect(() => loadConfig({ CLAUDINE_MCP_PORT: '0', CLAUDINE_MCP_MAX_BODY_BYTES: '10' })).toThrow(
      /CLAUDINE_MCP_MAX_BODY_BYTES/,
    );
  });
});
