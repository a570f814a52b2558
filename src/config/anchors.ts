/**
 * Anchors and aliases, resolved once for the whole document. yaml's own
 * `Alias.resolve(doc)` walks the whole document on every call, which turns
 * a file with thousands of `<<: *defaults` into millions of steps.
 *
 * Also measures what the aliases expand to: an anchor used many times is
 * built, validated and checked once per use, so a small file can stand for a
 * huge one (aliases of aliases, exponentially so). Counting every value as
 * if written out bounds that in one pass.
 */
import { type Alias, type Document, isAlias, isCollection, isPair, isScalar, type Node } from 'yaml';

export interface Aliases {
  /** The node an alias stands for; any other node as it is. */
  resolve(node: unknown): unknown;
  /** Aliases inside the node they name: the data would contain itself. */
  cycles: readonly Alias[];
  /** Aliases with no anchor of their name before them. */
  unresolved: readonly Alias[];
}

export function resolveAliases(doc: Document): Aliases {
  const targets = new Map<unknown, unknown>();
  const current = new Map<string, unknown>();
  const open = new Set<unknown>();
  const cycles: Alias[] = [];
  const unresolved: Alias[] = [];
  // Document order, parents before children: an alias names the last anchor set before it, as in yaml.
  const walk = (node: unknown): void => {
    if (isAlias(node)) {
      const target = current.get(node.source);
      targets.set(node, target);
      if (target === undefined) unresolved.push(node);
      else if (open.has(target)) cycles.push(node);
      return;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (typeof anchor === 'string') current.set(anchor, node);
    open.add(node);
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isCollection(node)) {
      for (const item of node.items) walk(item);
    }
    open.delete(node);
  };
  walk(doc.contents);
  return { resolve: (node) => (isAlias(node) ? targets.get(node) : node), cycles, unresolved };
}

/**
 * The first node whose expanded form counts more than `limit` values (keys,
 * scalars, lists and mappings), as the offset where it starts; undefined
 * when the whole document stays within it. Linear: an anchor is measured once,
 * before any alias can name it.
 */
export function findExcessExpansion(doc: Document, aliases: Aliases, limit: number): number | undefined {
  const sizes = new Map<unknown, number>();
  let excess: number | undefined;
  const measure = (node: unknown): number => {
    if (excess !== undefined) return 0;
    let size = 1;
    if (isAlias(node)) {
      // Cycles are refused before this runs; an anchor not measured yet counts as one value.
      size = sizes.get(aliases.resolve(node)) ?? 1;
    } else if (isPair(node)) {
      size = measure(node.key) + measure(node.value);
    } else if (isCollection(node)) {
      for (const item of node.items) size += measure(item);
    } else if (!isScalar(node)) {
      return 0;
    }
    // Capped, so counts of nested aliases stay finite numbers.
    size = Math.min(size, limit + 1);
    if (size > limit && excess === undefined) excess = startOf(node);
    if ((node as { anchor?: string }).anchor !== undefined) sizes.set(node, size);
    return size;
  };
  measure(doc.contents);
  return excess;
}

function startOf(node: unknown): number {
  if (isPair(node)) return startOf(node.key ?? node.value);
  return (node as Node | null)?.range?.[0] ?? 0;
}
