/**
 * Structured JSON logs to stdout (journald collects them). Each stage logs
 * through a child logger carrying its name, so a line always says where it came from.
 */
import { pino } from 'pino';
import type { Stage } from '../system/errors.ts';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export function createLogger(level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'edge-alarm-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['*.password', '*.passphrase', '*.sasl', '*.secret', '*.token'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export function stageLogger(root: Logger, stage: Stage, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ stage, ...bindings });
}
