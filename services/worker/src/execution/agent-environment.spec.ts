import { buildAgentEnvironment, DEFAULT_AGENT_ENV_ALLOWLIST } from './agent-environment';
import { buildClaudeArgs } from './claude-code-executor';

describe('buildAgentEnvironment', () => {
  const source = {
    PATH: '/bin',
    HOME: '/home/w',
    ANTHROPIC_API_KEY: 'sk-1',
    ANTHROPIC_BASE_URL: 'http://x',
    AWS_REGION: 'eu-west-1',
    REDIS_URL: 'redis://:secret@redis:6379',
    CLAUDINE_API_TOKEN: 'cluster-secret',
    CLAUDECODE: '1',
    CLAUDE_CODE_ENTRYPOINT: 'cli',
    GITHUB_TOKEN: 'ghp',
    SOMETHING_ELSE: 'x',
  };

  it('passes what Claude Code needs and nothing else', () => {
    const env = buildAgentEnvironment(source, {
      allowlist: DEFAULT_AGENT_ENV_ALLOWLIST,
      fixed: { CLAUDE_CONFIG_DIR: '/c' },
    });
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/w',
      ANTHROPIC_API_KEY: 'sk-1',
      ANTHROPIC_BASE_URL: 'http://x',
      AWS_REGION: 'eu-west-1',
      CLAUDE_CONFIG_DIR: '/c',
    });
  });

  it('never passes cluster secrets, even when an allowlist asks for them', () => {
    const env = buildAgentEnvironment(source, { allowlist: ['*'] });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.CLAUDINE_API_TOKEN).toBeUndefined();
    expect(env.CLAUDECODE).toBeUndefined();
    expect(env.CLAUDE_CODE_ENTRYPOINT).toBeUndefined();
    expect(env.GITHUB_TOKEN).toBe('ghp');
    expect(buildAgentEnvironment(source, { allowlist: ['CLAUDE_CODE_ENTRYPOINT'] })).toEqual({
      CLAUDE_CODE_ENTRYPOINT: 'cli',
    });
  });

  it('drops every REDIS* name and any copy of a secret value, whatever the allowlist', () => {
    const env = buildAgentEnvironment(
      {
        ...source,
        REDIS_PASSWORD: 'pass-word-1',
        REDISCLI_AUTH: 'pass-word-1',
        CLAUDINE_TOKEN: 'token-of-the-worker',
        MY_COPY: 'redis://:secret@redis:6379',
        MY_TOKEN: 'Bearer token-of-the-worker',
        MY_PASS: 'pass-word-1',
        MY_FINE: 'nothing to hide',
      },
      { allowlist: ['CLAUDINE_*', 'REDIS*', 'MY_*'] },
    );
    expect(env).toEqual({ MY_FINE: 'nothing to hide' });
  });
});

describe('buildClaudeArgs', () => {
  const options = {
    command: ['claude'],
    permissionMode: 'acceptEdits' as const,
    allowedPermissionModes: [],
    allowedTools: ['Bash(npm test)'],
    envAllowlist: [],
    envFixed: {},
    sandboxed: false,
    killGraceMs: 1000,
    cancelGraceMs: 100,
  };

  it('passes the prompt as one argument, never through a shell', () => {
    const prompt = 'fix it; rm -rf / $(whoami) `id`';
    const args = buildClaudeArgs({ taskId: 't', prompt, cwd: '/w', runDir: '/r', agent: {} }, options);
    expect(args.slice(0, 5)).toEqual(['-p', prompt, '--output-format', 'stream-json', '--verbose']);
    expect(args).toEqual(
      expect.arrayContaining(['--permission-mode', 'acceptEdits', '--allowedTools', 'Bash(npm test)']),
    );
  });

  it('lets the task override the cluster defaults', () => {
    const args = buildClaudeArgs(
      {
        taskId: 't',
        prompt: 'p',
        cwd: '/w',
        runDir: '/r',
        agent: { permissionMode: 'plan', allowedTools: ['Read'], model: 'opus', maxTurns: 3 },
      },
      options,
    );
    expect(args.join(' ')).toContain('--permission-mode plan --allowedTools Read --model opus --max-turns 3');
  });
});
