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

/** ERROR/FATAL lines, each with the exception message that follows it, then the last lines. */
export function logExcerpt(file: string, tailLines = 25): string {
  const lines = readLines(file);
  const errors: string[] = [];
  for (let i = 0; i < lines.length && errors.length < MAX_ERRORS; i += 1) {
    const line = lines[i] ?? '';
    if (!/^\[[^\]]+\] (ERROR|FATAL) /.test(line)) continue;
    const next = lines[i + 1];
    const cause =
      next !== undefined && !next.startsWith('[') && !next.startsWith('\tat ') ? `\n  ${next}` : '';
    errors.push(line + cause);
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
