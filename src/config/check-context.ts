/**
 * What a consistency check needs: whether a key passed the schema (checks
 * read only keys that did, so one mistake is reported once), where a key
 * sits, and a place to report.
 */
import type { Anchor, Finding } from './issues.ts';
import { isRecord, type Path } from './paths.ts';

export interface CheckContext {
  /** No schema error at `path` or below it. */
  clean(path: Path): boolean;
  lineOf(path: Path): number;
  report(code: Finding['code'], path: Path, anchor: Anchor, message: string): void;
}

/**
 * The entries of a list together with their paths; nothing when the value is
 * not a list. Entries that are not mappings are left out: the schema reports them.
 */
export function entries(value: unknown, path: Path): { item: Record<string, unknown>; path: Path }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) => (isRecord(item) ? [{ item, path: [...path, index] }] : []));
}

/** True when each key is absent or valid; a check reading them can trust their types. */
export function cleanKeys(context: CheckContext, path: Path, ...keys: string[]): boolean {
  return keys.every((key) => context.clean([...path, key]));
}

/**
 * Reports every id after the first that repeats within one list, with the
 * line of the first.
 */
export function checkUniqueIds(
  context: CheckContext,
  list: readonly { item: Record<string, unknown>; path: Path }[],
  what: string,
): void {
  const first = new Map<string, Path>();
  for (const { item, path } of list) {
    const idPath = [...path, 'id'];
    if (typeof item.id !== 'string' || !context.clean(idPath)) continue;
    const earlier = first.get(item.id);
    if (earlier === undefined) {
      first.set(item.id, idPath);
      continue;
    }
    const message = `duplicate ${what} id "${item.id}" (first defined at line ${context.lineOf(earlier)})`;
    context.report('CONFIG_REFERENCE', idPath, 'value', message);
  }
}
