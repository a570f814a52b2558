/**
 * The conditions below a notifier, read from the server's address space
 * instead of learned from events: for servers that refuse ConditionRefresh.
 * The search follows HasEventSource (HasNotifier is one) from the notifier to
 * every event source under it, and HasCondition from each of them to its
 * condition instances; each instance's state is then read from its variables
 * (ActiveState/Id, AckedState/Id, …), the same fields the events carry. A
 * server need not expose its conditions as nodes: what it does not expose is
 * not found, and the alarm stage treats what it knew of it as unconfirmed.
 */
import type { UaConditionEvent, UaEventFilter, UaPlainValue, UaSession } from './client.ts';

const HAS_EVENT_SOURCE = 'ns=0;i=36';
const HAS_CONDITION = 'ns=0;i=9006';
const HAS_SUBTYPE = 'ns=0;i=45';
/** Nodes (event sources and conditions) one search visits at most: a large server costs a bounded effort. */
export const MAX_CONDITION_SEARCH_NODES = 10_000;
/** Supertypes followed at most when an event type is checked against the filter. */
const MAX_TYPE_DEPTH = 32;

/** The variables read of every condition, in this order. */
export const CONDITION_PATHS = [
  '.SourceName',
  '.ConditionName',
  '.EventType',
  '.Time',
  '.Message',
  '.Severity',
  '.Retain',
  '.EnabledState.Id',
  '.ActiveState.Id',
  '.AckedState.Id',
  '.ConfirmedState.Id',
] as const;

type Field = (typeof CONDITION_PATHS)[number];

export interface ConditionNodes {
  /** The state of every condition read, as an event of its current state. */
  conditions: UaConditionEvent[];
  /** Condition nodes found whose state could not be read, and why. */
  unreadable: { nodeId: string; reason: string }[];
  /** Whether the search stopped at its bound with nodes left unvisited. */
  truncated: boolean;
}

type Browser = Pick<UaSession, 'browse' | 'readPaths'>;

export async function readConditionNodes(
  session: Browser,
  notifier: string,
  filter: UaEventFilter = {},
  now = Date.now(),
): Promise<ConditionNodes> {
  const { nodeIds, truncated } = await findConditionNodes(session, notifier);
  const rows = nodeIds.length === 0 ? [] : await session.readPaths(nodeIds, CONDITION_PATHS);
  const types = new EventTypes(session, filter.eventTypes);
  const result: ConditionNodes = { conditions: [], unreadable: [], truncated };
  for (const [index, row] of rows.entries()) {
    const nodeId = nodeIds[index] as string;
    const condition = conditionOfValues(row, now);
    if (typeof condition === 'string') {
      result.unreadable.push({ nodeId, reason: condition });
      continue;
    }
    // What the event filter keeps out is not the gateway's to report, as no event of it would arrive.
    if (filter.minSeverity !== undefined && condition.severity < filter.minSeverity) continue;
    const type = fieldOf(row, '.EventType');
    if (types.filtering && typeof type !== 'string') {
      result.unreadable.push({ nodeId, reason: 'its EventType cannot be read to apply event_types' });
      continue;
    }
    if (await types.wanted(type as string)) result.conditions.push(condition);
  }
  return result;
}

/** The condition nodes under a notifier: breadth first through its event sources, bounded. */
export async function findConditionNodes(
  session: Pick<UaSession, 'browse'>,
  notifier: string,
): Promise<{ nodeIds: string[]; truncated: boolean }> {
  const seen = new Set([notifier]);
  const found = new Set<string>();
  let level = [notifier];
  let truncated = false;
  while (level.length > 0) {
    for (const nodeId of (await session.browse(level, HAS_CONDITION, 'forward')).flat()) found.add(nodeId);
    const next: string[] = [];
    for (const nodeId of (await session.browse(level, HAS_EVENT_SOURCE, 'forward')).flat()) {
      if (seen.has(nodeId)) continue;
      if (seen.size + found.size >= MAX_CONDITION_SEARCH_NODES) {
        truncated = true;
        break;
      }
      seen.add(nodeId);
      next.push(nodeId);
    }
    level = next;
  }
  const nodeIds = [...found].slice(0, MAX_CONDITION_SEARCH_NODES);
  return { nodeIds, truncated: truncated || found.size > nodeIds.length };
}

/**
 * One condition's variables as an event of its current state, or why they do
 * not make one. Identity (SourceName, ConditionName) and ActiveState are
 * needed; the rest has the defaults a condition event would have. A disabled
 * condition is not active: its other states mean nothing while disabled.
 */
export function conditionOfValues(values: readonly UaPlainValue[], now: number): UaConditionEvent | string {
  const sourceName = fieldOf(values, '.SourceName');
  const conditionName = fieldOf(values, '.ConditionName');
  const active = fieldOf(values, '.ActiveState.Id');
  if (typeof sourceName !== 'string') return 'its SourceName cannot be read';
  if (typeof conditionName !== 'string') return 'its ConditionName cannot be read';
  if (typeof active !== 'boolean') return 'its ActiveState/Id cannot be read';
  const enabled = fieldOf(values, '.EnabledState.Id') !== false;
  const confirmed = fieldOf(values, '.ConfirmedState.Id');
  const severity = fieldOf(values, '.Severity');
  const message = fieldOf(values, '.Message');
  const time = fieldOf(values, '.Time');
  return {
    kind: 'condition',
    sourceName,
    conditionName,
    active: enabled && active,
    acked: fieldOf(values, '.AckedState.Id') !== false,
    ...(typeof confirmed === 'boolean' ? { confirmed } : {}),
    severity: typeof severity === 'number' ? severity : 0,
    message: typeof message === 'string' ? message : '',
    retain: fieldOf(values, '.Retain') === true,
    time: typeof time === 'number' ? time : now,
  };
}

function fieldOf(values: readonly UaPlainValue[], field: Field): UaPlainValue {
  return values[CONDITION_PATHS.indexOf(field)];
}

/** Whether an event type is one of the filter's or a subtype of one, asked of the server once per type. */
class EventTypes {
  readonly filtering: boolean;
  readonly #wanted: ReadonlySet<string>;
  readonly #session: Pick<UaSession, 'browse'>;
  readonly #known = new Map<string, boolean>();

  constructor(session: Pick<UaSession, 'browse'>, eventTypes: readonly string[] | undefined) {
    this.#session = session;
    this.#wanted = new Set(eventTypes ?? []);
    this.filtering = this.#wanted.size > 0;
  }

  async wanted(type: string): Promise<boolean> {
    if (!this.filtering) return true;
    let answer = this.#known.get(type);
    if (answer === undefined) {
      answer = await this.#search(type);
      this.#known.set(type, answer);
    }
    return answer;
  }

  async #search(type: string): Promise<boolean> {
    let current: string | undefined = type;
    for (let depth = 0; current !== undefined && depth < MAX_TYPE_DEPTH; depth += 1) {
      if (this.#wanted.has(current)) return true;
      current = (await this.#session.browse([current], HAS_SUBTYPE, 'inverse'))[0]?.[0];
    }
    return false;
  }
}
