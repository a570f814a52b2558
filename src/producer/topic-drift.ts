/**
 * How a topic on the broker differs from what the site file asks for, and
 * how to say it so the operator knows what to change. Pure: the broker's
 * answers come in, readable differences go out.
 */
import type { TopicSpec, TopicState } from './kafka-client.ts';

export type Drift =
  | { kind: 'partitions'; actual: number; wanted: number }
  | { kind: 'replication'; actual: number; wanted: number }
  | { kind: 'config'; name: string; actual: string | undefined; wanted: string };

/** Partition count and replication: what topic metadata (DESCRIBE) shows. */
export function metadataDrift(spec: TopicSpec, state: TopicState): Drift[] {
  const drift: Drift[] = [];
  if (state.partitions !== spec.partitions) {
    drift.push({ kind: 'partitions', actual: state.partitions, wanted: spec.partitions });
  }
  if (spec.replicationFactor !== undefined && state.replicationFactor !== spec.replicationFactor) {
    drift.push({ kind: 'replication', actual: state.replicationFactor, wanted: spec.replicationFactor });
  }
  return drift;
}

/** The configs the site file names whose value on the broker differs (DESCRIBE_CONFIGS shows them). */
export function configDrift(spec: TopicSpec, actual: Readonly<Record<string, string | undefined>>): Drift[] {
  return Object.entries(spec.configs ?? {}).flatMap(([name, wanted]) =>
    sameConfigValue(actual[name], wanted)
      ? []
      : [{ kind: 'config' as const, name, actual: actual[name], wanted }],
  );
}

/** Lists such as cleanup.policy=compact,delete mean the same in any order. */
function sameConfigValue(actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false;
  const items = (value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .sort()
      .join(',');
  return items(actual) === items(wanted);
}

/** One line per difference: what the broker has, what the site file says, and what to do about it. */
export function describeDrift(topic: string, drift: Drift): string {
  switch (drift.kind) {
    case 'partitions':
      return drift.actual < drift.wanted
        ? `partitions: ${drift.actual} on the broker, ${drift.wanted} in the site file ` +
            '(add them with `gateway topics ensure --increase-partitions`; keys then map to other partitions)'
        : `partitions: ${drift.actual} on the broker, ${drift.wanted} in the site file ` +
            `(Kafka cannot remove partitions: set partitions: ${drift.actual} in the site file)`;
    case 'replication':
      return (
        `replication factor: ${drift.actual} on the broker, ${drift.wanted} in the site file ` +
        '(change it with a partition reassignment, kafka-reassign-partitions)'
      );
    case 'config':
      return (
        `${drift.name}: ${drift.actual ?? 'not set'} on the broker, ${drift.wanted} in the site file ` +
        `(kafka-configs --alter --entity-type topics --entity-name ${topic} --add-config ${drift.name}=${drift.wanted})`
      );
  }
}
