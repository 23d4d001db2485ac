import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach a log line, at the top of the logged object or one level down. */
const SECRET_KEYS = [
  'password',
  'token',
  'tokens',
  'apiKey',
  'apiTokens',
  'secret',
  'authorization',
  'cookie',
  'credentials',
];

/** Keys holding URLs: logged with their password replaced (redactUrl), the rest kept. */
const URL_KEYS = ['redisUrl', 'url'];

/** Environment variables (as `env.NAME`, or in a logged `config.env`) that hold secrets. */
const SECRET_ENV = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'REDIS_PASSWORD',
  'REDIS_URL',
  'CLAUDINE_API_TOKENS',
  'CLAUDINE_METRICS_TOKEN',
  'GH_TOKEN',
  'GITHUB_TOKEN',
];

/** Paths whose values never reach a log line as they are, wherever they appear in the logged object. */
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  ...URL_KEYS.flatMap((key) => [key, `*.${key}`]),
  // HTTP requests and responses (req.headers.authorization, response headers, ...).
  ...['authorization', 'cookie', 'set-cookie', 'proxy-authorization'].flatMap((header) => [
    `headers["${header}"]`,
    `*.headers["${header}"]`,
  ]),
  ...SECRET_ENV.flatMap((name) => [`env.${name}`, `*.env.${name}`]),
];

/** Any `scheme://user:password@` in a text, with the password replaced. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s/]*@/gi, '$1:redacted@');
}

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if ((URL_KEYS.includes(key) || key === 'REDIS_URL') && typeof value === 'string')
    return redactUrlsIn(value);
  return '[redacted]';
}

/** pino's error serializer, with credentials in URLs (a Redis URL in a message) replaced. */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error);
  if (typeof serialized.message === 'string') serialized.message = redactUrlsIn(serialized.message);
  if (typeof serialized.stack === 'string') serialized.stack = redactUrlsIn(serialized.stack);
  return serialized;
}

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
    redact: { paths: REDACTED_PATHS, censor },
    serializers: { err: serializeError },
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
