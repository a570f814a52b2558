/**
 * What a failed start shows of the broker log. Kafka logs the cause of a fatal
 * start-up error once and then a few hundred lines of orderly shutdown, so the
 * error lines are pulled out ahead of the tail.
 */
import { readFileSync } from 'node:fs';

const MAX_ERRORS = 8;

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n');
  } catch {
    return [];
  }
}

/** Where a log entry starts, and its level: Kafka's `[date] LEVEL …` by default. */
export const KAFKA_LOG_ENTRY = /^\[[^\]]+\] (ERROR|FATAL|WARN|INFO|DEBUG|TRACE) /;
/** Log4j's ISO8601 layout, as Flink's logs here are written: `2026-12-04T02:03:28,622 ERROR …`. */
export const FLINK_LOG_ENTRY = /^\S+ (ERROR|FATAL|WARN|INFO|DEBUG|TRACE) /;

/**
 * ERROR/FATAL entries, each with the exception message that follows it and
 * the `Caused by:` lines of its stack trace, then the last lines.
 */
export function logExcerpt(file: string, tailLines = 25, entry = KAFKA_LOG_ENTRY): string {
  const lines = readLines(file);
  const errors: string[] = [];
  for (let i = 0; i < lines.length && errors.length < MAX_ERRORS; i += 1) {
    const line = lines[i] ?? '';
    const level = entry.exec(line)?.[1];
    if (level !== 'ERROR' && level !== 'FATAL') continue;
    const next = lines[i + 1];
    const cause = next !== undefined && !entry.test(next) && !next.startsWith('\tat ') ? `\n  ${next}` : '';
    const causes = [];
    for (let j = i + 1; j < lines.length && !entry.test(lines[j] ?? ''); j += 1) {
      if (lines[j]?.startsWith('Caused by: ')) causes.push(`\n  ${lines[j]}`);
    }
    errors.push(line + cause + causes.join(''));
  }
  const parts = [];
  if (errors.length > 0) parts.push(`errors:\n${errors.join('\n')}`);
  parts.push(`last lines:\n${lines.slice(-tailLines).join('\n')}`);
  return parts.join('\n');
}

/** The last lines of a file; empty when it cannot be read. */
export function tail(file: string, count: number): string {
  return readLines(file).slice(-count).join('\n');
}
