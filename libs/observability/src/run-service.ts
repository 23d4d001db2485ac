import type { Logger } from 'pino';

export interface StartedService {
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The shared tail of every service's main.ts: start it, stop it cleanly on SIGINT/SIGTERM
 * (a second signal exits at once), and turn a failure at start into a one-line message and an
 * exit code: 2 for invalid configuration, 1 otherwise.
 */
export function runService(name: string, start: () => Promise<StartedService>): void {
  start().then(
    (service) => {
      let signals = 0;
      const shutdown = (signal: NodeJS.Signals): void => {
        if (++signals > 1) process.exit(1);
        service.logger.info({ signal }, 'shutting down');
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            service.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    },
    (error: unknown) => {
      const code =
        error && typeof error === 'object' && 'code' in error && error.code === 'CONFIG_INVALID' ? 2 : 1;
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(code);
    },
  );
}
