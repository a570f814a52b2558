/**
 * Structured JSON logs to stdout (journald collects them). Each stage logs
 * through a child logger carrying its name, so a line always says where it
 * came from, and its level can be set apart from the others (log-levels.ts).
 */
import { pino } from 'pino';
import type { Stage } from '../system/errors.ts';
import type { ComponentLevels } from './log-levels.ts';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * Secrets never reach a log line, however deep a logged object holds them.
 * pino's paths match a fixed depth, hence one entry per depth a secret is
 * known to sit at (SASL settings under kafka, headers of an HTTP request).
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  '*.*.*.password',
  'sasl',
  '*.sasl',
  '*.*.sasl',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'operator_token',
  '*.operator_token',
  '*.*.operator_token',
  'authorization',
  '*.authorization',
  '*.*.authorization',
  'passphrase',
  '*.passphrase',
];

export function createLogger(
  level: LogLevel = 'info',
  destination?: pino.DestinationStream,
  levels?: ComponentLevels,
): Logger {
  levels?.setDefault(level);
  return pino(
    {
      level,
      base: { service: 'edge-alarm-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      ...(levels ? { onChild: (child: pino.Logger) => levels.track(child) } : {}),
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export function stageLogger(root: Logger, stage: Stage, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ stage, ...bindings });
}
