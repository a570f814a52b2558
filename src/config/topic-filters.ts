/**
 * MQTT topic filters with named levels: `plant/+line/+asset/temp` subscribes
 * to `plant/+/+/temp` and remembers which level is `line` and which `asset`,
 * so a point id such as `{line}.{asset}.temp` can name them. Shared by
 * validation and the adapter, so both read a filter the same way.
 */
export interface ParsedFilter {
  /** What goes to the broker: names removed. */
  readonly subscription: string;
  readonly levels: readonly FilterLevel[];
  /** Names of the `+name` levels, in order. */
  readonly names: readonly string[];
}

export type FilterLevel =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'one'; readonly name?: string }
  | { readonly kind: 'rest' };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a filter, or says what is wrong with it. */
export function parseTopicFilter(filter: string): ParsedFilter | { problem: string } {
  if (filter.length === 0) return { problem: 'must not be empty' };
  if (filter.includes('\u0000')) return { problem: 'must not contain a NUL character' };
  const parts = filter.split('/');
  const levels: FilterLevel[] = [];
  const names: string[] = [];
  for (const [index, part] of parts.entries()) {
    const where = `level ${index + 1} ("${part}")`;
    if (part === '#') {
      if (index !== parts.length - 1) return { problem: `"#" must be the last level; ${where} is not` };
      levels.push({ kind: 'rest' });
    } else if (part.startsWith('+')) {
      const name = part.slice(1);
      if (name === '') {
        levels.push({ kind: 'one' });
        continue;
      }
      if (!NAME.test(name)) {
        return { problem: `${where}: a named level is "+" followed by a name of letters, digits and "_"` };
      }
      if (names.includes(name)) return { problem: `level name "${name}" is used twice` };
      names.push(name);
      levels.push({ kind: 'one', name });
    } else if (part.includes('+') || part.includes('#')) {
      return { problem: `${where}: "+" and "#" must stand for a whole level` };
    } else {
      levels.push({ kind: 'literal', text: part });
    }
  }
  const subscription = levels
    .map((level) => (level.kind === 'literal' ? level.text : level.kind === 'one' ? '+' : '#'))
    .join('/');
  return { subscription, levels, names };
}

/** The named levels a topic binds, or undefined when the topic does not match the filter. */
export function matchTopic(filter: ParsedFilter, topic: string): Record<string, string> | undefined {
  const parts = topic.split('/');
  const bound: Record<string, string> = {};
  // Topics starting with "$" are the broker's own; wildcards never match them at the first level.
  if (topic.startsWith('$') && filter.levels[0]?.kind !== 'literal') return undefined;
  for (const [index, level] of filter.levels.entries()) {
    if (level.kind === 'rest') return bound;
    const part = parts[index];
    if (part === undefined) return undefined;
    if (level.kind === 'literal') {
      if (level.text !== part) return undefined;
    } else if (level.name !== undefined) {
      bound[level.name] = part;
    }
  }
  return parts.length === filter.levels.length ? bound : undefined;
}

/** Names `{name}` used in a point id template. */
export function templateNames(pointId: string): string[] {
  return [...pointId.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1] as string);
}

/** The concrete point id for the levels a topic bound. */
export function fillTemplate(pointId: string, bound: Readonly<Record<string, string>>): string {
  return pointId.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => bound[name] ?? '');
}
