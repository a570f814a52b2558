/**
 * The plain data of a checked YAML document: mappings become objects, lists
 * arrays, scalars their values; an alias is the data of its anchor and a
 * merge key (`<<: *defaults`) adds the keys of its mappings that the
 * mapping does not set before it (later keys override, earlier merge sources
 * win), as yaml's own `toJS` does.
 *
 * yaml's `toJS` resolves each alias by scanning every anchor and alias before
 * it, which is quadratic: a megabyte of anchors and aliases takes minutes.
 * This builds in one pass over the nodes with the aliases resolved once.
 *
 * Only for documents that passed the structure checks: keys are scalars,
 * every alias names an earlier anchor outside itself, merge sources are
 * mappings, and nothing nests or expands past the limits.
 */
import { isAlias, isMap, isScalar, isSeq, type Pair } from 'yaml';
import type { Aliases } from './anchors.ts';
import { isMergeKey } from './positions.ts';

export function documentData(contents: unknown, aliases: Aliases): unknown {
  const anchored = new Map<unknown, unknown>();

  const build = (node: unknown): unknown => {
    if (isAlias(node)) return anchored.get(aliases.resolve(node));
    let data: unknown = null;
    if (isScalar(node)) {
      data = typeof node.value === 'bigint' ? Number(node.value) : node.value;
    } else if (isSeq(node)) {
      data = node.items.map(build);
    } else if (isMap(node)) {
      const object: Record<string, unknown> = {};
      for (const pair of node.items as Pair[]) {
        if (isMergeKey(pair.key)) merge(object, pair.value);
        else set(object, keyOf(pair.key), build(pair.value));
      }
      data = object;
    }
    if ((node as { anchor?: string } | null)?.anchor !== undefined) anchored.set(node, data);
    return data;
  };

  const merge = (object: Record<string, unknown>, value: unknown): void => {
    const target = aliases.resolve(value);
    const sources = isSeq(target) ? target.items : [value];
    for (const source of sources) {
      const data = build(source) as Record<string, unknown>;
      for (const [key, item] of Object.entries(data)) {
        if (!Object.hasOwn(object, key)) set(object, key, item);
      }
    }
  };

  return build(contents);
}

function keyOf(key: unknown): string {
  const value = isScalar(key) ? key.value : null;
  return value === null || value === undefined ? '' : String(value);
}

/** A key such as `__proto__` becomes an own property like any other. */
function set(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key in object)
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}
