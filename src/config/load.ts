/**
 * Loads a site file and reports every problem at once, each with file, line,
 * column and the path of the key: YAML syntax, then the schema, then the
 * consistency checks on whatever passed the schema.
 */
import type { CheckContext } from './check-context.ts';
import { crossCheck } from './cross-checks.ts';
import { indexFindings } from './finding-index.ts';
import { deepFreeze } from './freeze.ts';
import { type ConfigIssue, type Finding, sortIssues, uniqueIssues } from './issues.ts';
import { formatPath, type Path } from './paths.ts';
import type { Locator } from './positions.ts';
import type { SiteFile } from './schema.ts';
import { schemaFindings } from './schema-messages.ts';
import { oversizeIssue, readBounded, textOversize } from './size-limit.ts';
import { schemaErrors } from './validator.ts';
import { parseYaml } from './yaml-parse.ts';

export { type ConfigIssue, formatIssue } from './issues.ts';

/** The site is deep-frozen: any attempt to change it throws (ESM code is strict). */
export type LoadResult =
  | { ok: true; site: SiteFile; file: string }
  | {
      ok: false;
      issues: ConfigIssue[];
      file: string;
      /** Problems left out of `issues` to keep a report short (a reload reports the first ones). */
      omitted?: number;
    };

/**
 * Never throws for bad input: an unreadable file is a CONFIG_READ issue, one
 * past the loader's limits a CONFIG_LIMIT issue.
 */
export function loadSiteFile(file: string): LoadResult {
  let read: ReturnType<typeof readBounded>;
  try {
    read = readBounded(file);
  } catch (error) {
    return { ok: false, file, issues: [readIssue(file, error)] };
  }
  if (read.oversize) return { ok: false, file, issues: [oversizeIssue(read.bytes, file)] };
  return checkWithinStack(read.bytes.toString('utf8'), file);
}

/** `file` only names the text in the issues. */
export function parseSiteText(text: string, file: string): LoadResult {
  const oversize = textOversize(text);
  if (oversize) return { ok: false, file, issues: [oversizeIssue(oversize, file)] };
  return checkWithinStack(text, file);
}

function checkWithinStack(text: string, file: string): LoadResult {
  try {
    return checkSiteText(text, file);
  } catch (error) {
    // The nesting limit keeps recursion shallow; should a text still exhaust the stack, it is refused like one too deep.
    if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
    const message = 'nested too deeply to be loaded (the call stack ran out); keep the nesting shallow';
    return {
      ok: false,
      file,
      issues: [{ file, line: 1, column: 1, path: '', message, code: 'CONFIG_LIMIT' }],
    };
  }
}

function checkSiteText(text: string, file: string): LoadResult {
  const parsed = parseYaml(text, file);
  const issues = [...parsed.issues];
  if (!parsed.broken) {
    const findings = schemaFindings(schemaErrors(parsed.data), parsed.data);
    findings.push(...consistencyFindings(parsed.data, findings, parsed.locator));
    issues.push(...findings.map((finding) => place(finding, file, parsed.locator)));
  }
  if (issues.length > 0) return { ok: false, file, issues: sortIssues(uniqueIssues(issues)) };
  return { ok: true, file, site: deepFreeze(parsed.data as SiteFile) as SiteFile };
}

function consistencyFindings(data: unknown, schemaFound: readonly Finding[], locator: Locator): Finding[] {
  const found: Finding[] = [];
  const flawed = indexFindings(schemaFound);
  const context: CheckContext = {
    clean: (path: Path) => !flawed(path),
    lineOf: (path: Path) => locator.find(path, 'value').line,
    report: (code, path, anchor, message) => found.push({ code, path, anchor, message }),
  };
  crossCheck(data, context);
  return found;
}

function place(finding: Finding, file: string, locator: Locator): ConfigIssue {
  const { line, column } = locator.find(finding.path, finding.anchor);
  return { file, line, column, path: formatPath(finding.path), message: finding.message, code: finding.code };
}

function readIssue(file: string, error: unknown): ConfigIssue {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
  return {
    file,
    line: 0,
    column: 0,
    path: '',
    message: `cannot read the site file: ${reason}`,
    code: 'CONFIG_READ',
  };
}
