import { Writable } from 'node:stream';
import { createLogger, redactUrl } from './logger';

describe('createLogger', () => {
  it('writes JSON lines with the service name and redacts secrets', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ name: 'worker', destination });
    logger.info(
      { token: 'abc', config: { redisUrl: 'redis://:pw@h', password: 'pw' }, taskId: 't1' },
      'hello',
    );
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ service: 'worker', msg: 'hello', taskId: 't1', token: '[redacted]' });
    expect(line.config).toEqual({ redisUrl: '[redacted]', password: '[redacted]' });
  });
});

describe('redactUrl', () => {
  it('hides a password and keeps the rest', () => {
    expect(redactUrl('redis://user:secret@host:6379/0')).toBe('redis://user:redacted@host:6379/0');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
