import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Paths whose values never reach a log line, wherever they appear in the logged object. */
export const REDACTED_PATHS = [
  'password',
  'token',
  'apiKey',
  'authorization',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.authorization',
  'redisUrl',
  '*.redisUrl',
  'env.ANTHROPIC_API_KEY',
  'env.CLAUDE_CODE_OAUTH_TOKEN',
];

export interface CreateLoggerOptions {
  /** Service name, on every line. */
  name: string;
  level?: LogLevel;
  /** Extra fields on every line (for example workerId). */
  base?: Record<string, unknown>;
  destination?: pino.DestinationStream;
}

/** The one root logger of a process: JSON lines on stdout, secrets redacted. */
export function createLogger({ name, level = 'info', base = {}, destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    name,
    level,
    base: { service: name, pid: process.pid, ...base },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Replaces the password of a URL (redis://user:secret@host) so it can be logged or printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:redacted@');
  }
}
