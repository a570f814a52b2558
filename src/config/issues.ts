/** What the loader reports about a site file, and how it prints. */
import type { Path } from './paths.ts';

export type ConfigIssueCode =
  | 'CONFIG_READ'
  | 'CONFIG_LIMIT'
  | 'CONFIG_YAML'
  | 'CONFIG_SCHEMA'
  | 'CONFIG_REFERENCE';

export interface ConfigIssue {
  file: string;
  /** 1-based; 0 when the problem has no place in the text (the file cannot be read). */
  line: number;
  column: number;
  /** `devices[0].points[2].address`; empty for the top level and for YAML syntax errors. */
  path: string;
  message: string;
  code: ConfigIssueCode;
}

/**
 * Where in the YAML a finding points: the key itself (unknown keys), the
 * value under it (wrong values) or the mapping that holds it (missing keys).
 */
export type Anchor = 'key' | 'value' | 'container';

/** A problem found in the data, not yet placed in the text. */
export interface Finding {
  code: 'CONFIG_YAML' | 'CONFIG_SCHEMA' | 'CONFIG_REFERENCE';
  path: Path;
  anchor: Anchor;
  message: string;
}

/** `devices/plant.yaml:12:7 devices[0].points[2].address: must be an integer >= 0 and <= 65535` */
export function formatIssue(issue: ConfigIssue): string {
  const place = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : `${issue.file}:`;
  const subject = issue.path === '' ? '' : ` ${issue.path}:`;
  return `${place}${subject} ${issue.message}`;
}

/** In reading order; issues at the same place keep the order they were found in. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Drops repeats: several checks (or several schema keywords) may say the same thing about one key. */
export function uniqueIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
