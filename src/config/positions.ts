/**
 * Finds where a path of the data sits in the YAML text, so every issue can
 * name a line and column. Follows aliases and merge keys (`<<: *defaults`),
 * since the data Ajv sees has them resolved.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Anchor } from './issues.ts';
import type { Path } from './paths.ts';

export interface Position {
  line: number;
  column: number;
}

export interface Locator {
  /** Position of a character offset of the text. */
  at(offset: number): Position;
  /** Position of a path; a path that leaves the YAML tree falls back to the deepest node it reaches. */
  find(path: Path, anchor: Anchor): Position;
}

const START: Position = { line: 1, column: 1 };

export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

export function createLocator(doc: Document, lineCounter: LineCounter): Locator {
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const startOf = (node: unknown): Position | undefined => {
    const range = (node as Node | null | undefined)?.range;
    return range ? at(range[0]) : undefined;
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  const findPair = (map: YAMLMap, key: string, depth = 0): Pair | undefined => {
    const own = map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
    if (own || depth > 8) return own;
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const source = resolve(pair.value);
      const sources = isSeq(source) ? source.items.map(resolve) : [source];
      for (const candidate of sources) {
        const merged = isMap(candidate) ? findPair(candidate, key, depth + 1) : undefined;
        if (merged) return merged;
      }
    }
    return undefined;
  };

  return {
    at,
    find(path, anchor) {
      let node: unknown = doc.contents;
      let pair: Pair | undefined;
      for (const segment of path) {
        const container = resolve(node);
        let next: { node: unknown; pair: Pair | undefined } | undefined;
        if (typeof segment === 'string' && isMap(container)) {
          const found = findPair(container, segment);
          if (found) next = { node: found.value, pair: found };
        } else if (typeof segment === 'number' && isSeq(container) && segment < container.items.length) {
          next = { node: container.items[segment], pair: undefined };
        }
        if (!next) return valueStart(node, pair) ?? START;
        ({ node, pair } = next);
      }
      if (anchor === 'key' && pair) return startOf(pair.key) ?? START;
      return valueStart(node, pair) ?? START;
    },
  };

  /** An empty value (`host:`) has no text of its own; its key stands for it. */
  function valueStart(node: unknown, pair: Pair | undefined): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    const empty = !range || (isScalar(node) && node.value === null && range[0] === range[1]);
    if (empty && pair) return startOf(pair.key);
    return startOf(node);
  }
}
