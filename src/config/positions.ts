/**
 * Finds where a path of the data sits in the YAML text, so every issue can
 * name a line and column. Follows aliases and merge keys (`<<: *defaults`),
 * since the data Ajv sees has them resolved.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Aliases } from './anchors.ts';
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

export function createLocator(doc: Document, lineCounter: LineCounter, aliases: Aliases): Locator {
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const startOf = (node: unknown): Position | undefined => {
    const range = (node as Node | null | undefined)?.range;
    return range ? at(range[0]) : undefined;
  };
  const resolve = aliases.resolve;

  // Built once per mapping, so placing an issue on each of thousands of keys stays linear.
  const indexes = new WeakMap<YAMLMap, { keys: Map<string, Pair>; merges: Pair[] }>();
  const indexOf = (map: YAMLMap) => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = { keys: new Map(), merges: [] };
      for (const pair of map.items as Pair[]) {
        if (isMergeKey(pair.key)) index.merges.push(pair);
        const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (name !== undefined && !index.keys.has(name)) index.keys.set(name, pair);
      }
      indexes.set(map, index);
    }
    return index;
  };

  /** The pair of a key, written in the mapping or merged into it; each mapping is searched once. */
  const findPair = (map: YAMLMap, key: string, depth = 0, seen = new Set<YAMLMap>()): Pair | undefined => {
    seen.add(map);
    const { keys, merges } = indexOf(map);
    const own = keys.get(key);
    if (own || depth > 8) return own;
    for (const pair of merges) {
      const source = resolve(pair.value);
      const sources = isSeq(source) ? source.items.map(resolve) : [source];
      for (const candidate of sources) {
        if (!isMap(candidate) || seen.has(candidate)) continue;
        const merged = findPair(candidate, key, depth + 1, seen);
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
