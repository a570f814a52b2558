/**
 * YAML text to plain data, with every syntax problem, warning and duplicate
 * key as an issue. yaml's own duplicate-key error is turned off so that the
 * report can name the key path and where the key first appeared.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import { type Aliases, findExcessExpansion, resolveAliases } from './anchors.ts';
import type { ConfigIssue } from './issues.ts';
import { MAX_EXPANDED_VALUES, MAX_NESTING_DEPTH } from './limits.ts';
import { findExcessNesting } from './nesting.ts';
import type { PathSegment } from './paths.ts';
import { formatPath } from './paths.ts';
import { createLocator, isMergeKey, type Locator } from './positions.ts';
import { documentData } from './yaml-data.ts';

export interface ParsedYaml {
  data: unknown;
  locator: Locator;
  issues: ConfigIssue[];
  /** Syntax errors leave a tree that is a guess; checking its content would only add misleading issues. */
  broken: boolean;
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const excess = findExcessNesting(text, MAX_NESTING_DEPTH);
  if (excess) return tooDeep(text, file, excess.offset);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  const aliases = resolveAliases(doc);
  const locator = createLocator(doc, lineCounter, aliases);
  const issue = (offset: number, path: string, message: string): ConfigIssue => ({
    file,
    ...locator.at(offset),
    path,
    message,
    code: 'CONFIG_YAML',
  });

  const issues: ConfigIssue[] = [];
  const reportedLines = new Set<number>();
  for (const error of [...doc.errors, ...doc.warnings]) {
    const { offset, message } = describeYamlError(doc, error);
    // yaml often raises two or three errors for one mistake on one line; the first says it best.
    const { line } = locator.at(offset);
    if (reportedLines.has(line)) continue;
    reportedLines.add(line);
    issues.push(issue(offset, '', message));
  }
  if (doc.errors.length > 0) return { data: undefined, locator, issues, broken: true };

  for (const alias of aliases.unresolved) {
    const message = `unresolved alias *${alias.source}: no anchor &${alias.source} is set before it`;
    issues.push(issue(alias.range?.[0] ?? 0, '', message));
  }
  for (const alias of aliases.cycles) {
    const message = `alias *${alias.source} is inside the value it names, so that value would contain itself`;
    issues.push(issue(alias.range?.[0] ?? 0, '', message));
  }
  if (aliases.unresolved.length + aliases.cycles.length > 0) {
    return { data: undefined, locator, issues, broken: true };
  }

  const expansion = findExcessExpansion(doc, aliases, MAX_EXPANDED_VALUES);
  if (expansion !== undefined) {
    const message = `anchors and aliases expand the file to more than ${MAX_EXPANDED_VALUES} values; an alias repeats its anchor each time it is used`;
    issues.push({ ...issue(expansion, '', message), code: 'CONFIG_LIMIT' });
    return { data: undefined, locator, issues, broken: true };
  }

  const structure = structureIssues(doc, aliases, locator, file);
  issues.push(...structure.issues);
  const broken = structure.unbuildable;
  if (broken) return { data: undefined, locator, issues, broken };

  return { data: documentData(doc.contents, aliases), locator, issues, broken };
}

/** Placed without a LineCounter: nothing has been parsed yet. */
function tooDeep(text: string, file: string, offset: number): ParsedYaml {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  ) {
    line += 1;
    lineStart = index + 1;
  }
  const issue: ConfigIssue = {
    file,
    line,
    column: offset - lineStart + 1,
    path: '',
    message: `nested more than ${MAX_NESTING_DEPTH} levels deep (indentation levels plus open brackets); a site file needs about ten`,
    code: 'CONFIG_LIMIT',
  };
  const locator: Locator = {
    at: () => ({ line, column: issue.column }),
    find: () => ({ line, column: issue.column }),
  };
  return { data: undefined, locator, issues: [issue], broken: true };
}

/** yaml's message, placed and worded for someone editing a device map. */
function describeYamlError(doc: Document, error: YAMLError): { offset: number; message: string } {
  const offset = error.pos[0];
  const message = lowerFirst(error.message);
  switch (error.code) {
    case 'MISSING_CHAR': {
      // yaml notices an unclosed quote where the text ends; the opening quote is what needs fixing.
      const opened = /quote/.test(message) ? unclosedQuoteStart(doc, offset) : undefined;
      if (opened === undefined) return { offset, message };
      const quote = /'quote/.test(message) ? "'" : '"';
      return {
        offset: opened,
        message: `missing closing ${quote}: the quoted value that starts here is never closed`,
      };
    }
    case 'TAB_AS_INDENT':
      return { offset, message: `${message}; indent with spaces` };
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return {
        offset,
        message: `${message} (check the indentation of the lines below and for a missing ":")`,
      };
    case 'MULTIPLE_DOCS':
      return { offset, message: 'a site file holds one YAML document; remove the "---" separator' };
    default:
      return { offset, message };
  }
}

function unclosedQuoteStart(doc: Document, errorOffset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, scalar) {
      const range = scalar.range;
      const quoted = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE';
      if (quoted && range && range[0] < errorOffset && errorOffset <= range[2]) start = range[0];
    },
  });
  return start;
}

function lowerFirst(text: string): string {
  // Acronyms such as YAML keep their capitals.
  return /^[A-Z](?![A-Z])/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}

/**
 * Duplicate keys; and keys that keep the data from being built: merge keys
 * that do not point at mappings, lists or mappings used as keys.
 */
function structureIssues(
  doc: Document,
  aliases: Aliases,
  locator: Locator,
  file: string,
): { issues: ConfigIssue[]; unbuildable: boolean } {
  const issues: ConfigIssue[] = [];
  let unbuildable = false;
  const report = (offset: number, path: PathSegment[], message: string) =>
    issues.push({ file, ...locator.at(offset), path: formatPath(path), message, code: 'CONFIG_YAML' });

  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isSeq(node)) {
      node.items.forEach((item, index) => {
        walk(item, [...path, index]);
      });
      return;
    }
    if (!isMap(node)) return;
    const firstLine = new Map<string, number>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) {
        unbuildable = true;
        const offset = (pair.key as { range?: number[] } | null)?.range?.[0] ?? 0;
        report(offset, path, 'a key must be a plain name, not a list or a mapping');
        continue;
      }
      const key = isMergeKey(pair.key) ? '<<' : String(pair.key.value);
      const keyPath = [...path, key];
      const offset = pair.key.range?.[0] ?? 0;
      const first = firstLine.get(key);
      if (first === undefined) firstLine.set(key, locator.at(offset).line);
      else report(offset, keyPath, `duplicate key "${key}" (first defined at line ${first})`);
      if (isMergeKey(pair.key) && !isMergeSource(aliases, pair.value)) {
        unbuildable = true;
        report(offset, keyPath, 'merge key "<<" needs an alias of a mapping (<<: *name) or a list of them');
      }
      walk(pair.value, keyPath);
    }
  };
  walk(doc.contents, []);
  return { issues, unbuildable };
}

function isMergeSource(aliases: Aliases, value: unknown): boolean {
  const isMapLike = (node: unknown) => isMap(aliases.resolve(node));
  if (isSeq(value)) return value.items.every(isMapLike);
  return isMapLike(value);
}
