import { Writable } from 'node:stream';
import { createLogger, redactUrl, redactUrlsIn, type LogLevel } from './logger';

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ name: 'worker', level, destination });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name and redacts secrets', () => {
    const { logger, parsed } = capture();
    logger.info(
      { token: 'abc', config: { redisUrl: 'redis://:pw@h', password: 'pw' }, taskId: 't1' },
      'hello',
    );
    const [line] = parsed();
    expect(line).toMatchObject({ service: 'worker', msg: 'hello', taskId: 't1', token: '[redacted]' });
    expect(line?.config).toEqual({ redisUrl: 'redis://:redacted@h', password: '[redacted]' });
  });

  it('redacts tokens, passwords, authorization headers, secret variables and credentials in URLs', () => {
    const { logger, lines } = capture();
    logger.warn(
      {
        apiTokens: [{ name: 'ci', token: 'tok-123456' }],
        secret: 'shh-secret',
        req: { headers: { authorization: 'Bearer tok-abcdef', cookie: 'session=s3cr3t', host: 'h' } },
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
        env: { ANTHROPIC_API_KEY: 'sk-ant-key', CLAUDE_CODE_OAUTH_TOKEN: 'oauth-tok', HOME: '/home/u' },
        config: {
          env: { REDIS_PASSWORD: 'redis-pass', CLAUDINE_METRICS_TOKEN: 'metrics-token-xyz' },
          url: 'redis://user:url-pass@redis:6379/0',
        },
        redisUrl: 'rediss://default:top-pass@cache.example:6380',
        err: new Error('connect to redis://user:err-pass@redis:6379 failed'),
      },
      'everything secret',
    );
    const text = lines.join('');
    for (const secret of [
      'tok-123456',
      'shh-secret',
      'tok-abcdef',
      's3cr3t',
      'dXNlcjpwYXNz',
      'sk-ant-key',
      'oauth-tok',
      'redis-pass',
      'metrics-token-xyz',
      'url-pass',
      'top-pass',
      'err-pass',
    ])
      expect(text).not.toContain(secret);
    const line = JSON.parse(text) as {
      req: { headers: Record<string, string> };
      env: Record<string, string>;
      redisUrl: string;
      err: { message: string };
    };
    // What is not secret stays readable.
    expect(line.req.headers.host).toBe('h');
    expect(line.env.HOME).toBe('/home/u');
    expect(line.redisUrl).toBe('rediss://default:redacted@cache.example:6380');
    expect(line.err.message).toBe('connect to redis://user:redacted@redis:6379 failed');
  });

  it('writes a task line with taskId, workerId and attempt once each', () => {
    const { logger, lines } = capture();
    logger.child({ workerId: 'w1' }).child({ taskId: 't1', attempt: 2 }).info('agent starting');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ workerId: 'w1', taskId: 't1', attempt: 2 });
    for (const key of ['workerId', 'taskId', 'attempt'])
      expect(lines[0]?.match(new RegExp(`"${key}":`, 'g'))).toHaveLength(1);
  });

  it.each<[LogLevel, string[]]>([
    ['debug', ['debug', 'info', 'warn']],
    ['info', ['info', 'warn']],
    ['warn', ['warn']],
    ['silent', []],
  ])('honours the level %s', (level, written) => {
    const { logger, parsed } = capture(level);
    logger.debug('debug');
    logger.info('info');
    logger.warn('warn');
    expect(parsed().map((line) => line.msg)).toEqual(written);
  });
});

describe('redactUrl', () => {
  it('hides a password and keeps the rest', () => {
    expect(redactUrl('redis://user:secret@host:6379/0')).toBe('redis://user:redacted@host:6379/0');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('hides the passwords of every URL in a text', () => {
    expect(redactUrlsIn('from redis://:a@h1:1 to rediss://u:b@h2:2, not http://h3/x@y')).toBe(
      'from redis://:redacted@h1:1 to rediss://u:redacted@h2:2, not http://h3/x@y',
    );
  });
});
