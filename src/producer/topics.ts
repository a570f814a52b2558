/**
 * The gateway's topics as the site file describes them. One list serves the
 * start-up check and `gateway topics ensure`; every topic the gateway writes
 * or reads belongs in gatewayTopics.
 */
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile, TopicConfig } from '../config/schema.ts';
import type { TopicSpec } from './kafka-client.ts';

/** Kafka takes every topic config as text. */
export function configText(config: TopicConfig | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(config ?? {}).map(([name, value]) => [name, String(value)]));
}

/** The topic every alarm event goes to (gateway.kafka.topic). */
export function eventsTopic(site: SiteFile): TopicSpec {
  const kafka = site.gateway.kafka ?? {};
  const configs = configText(kafka.topic_config);
  return {
    topic: kafka.topic ?? DEFAULTS.topic,
    partitions: kafka.partitions ?? DEFAULTS.partitions,
    ...(kafka.replication_factor ? { replicationFactor: kafka.replication_factor } : {}),
    ...(Object.keys(configs).length > 0 ? { configs } : {}),
  };
}

/** Every topic of the gateway, each once. */
export function gatewayTopics(site: SiteFile): TopicSpec[] {
  return [eventsTopic(site)];
}
