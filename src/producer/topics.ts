/**
 * The gateway's topics as the site file describes them. One list serves the
 * start-up check and `gateway topics ensure`; every topic the gateway writes
 * or reads belongs in gatewayTopics.
 */
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';
import { resolveClientId } from './connection.ts';
import type { TopicSpec } from './kafka-client.ts';
import { outputPlan } from './output-plan.ts';

/** The topic alarm events go to when no route says otherwise (gateway.kafka.topic). */
export function eventsTopic(site: SiteFile): TopicSpec {
  return gatewayTopics(site)[0] as TopicSpec;
}

/**
 * Every topic of the gateway, each once: the default topic first, then routed
 * topics, the state topic and the command topic it reads.
 */
export function gatewayTopics(site: SiteFile): TopicSpec[] {
  const topics = outputPlan(site.gateway.kafka ?? {}).topics;
  const commands = commandTopicSpec(site);
  return commands ? [...topics, commands] : topics;
}

/** Where the gateway reads operator commands, and its own consumer group; undefined when it reads none. */
export function resolveCommandTopic(site: SiteFile): { topic: string; groupId: string } | undefined {
  const commands = site.gateway.commands;
  if (!commands || commands.enabled === false) return undefined;
  return {
    topic: commands.topic ?? DEFAULTS.commandTopic,
    groupId: commands.group_id ?? `${resolveClientId(site)}-commands`,
  };
}

/** One partition keeps each site's commands in order whatever their key; replicated like the events. */
export function commandTopicSpec(site: SiteFile): TopicSpec | undefined {
  const target = resolveCommandTopic(site);
  if (!target) return undefined;
  const replication = site.gateway.kafka?.replication_factor;
  return {
    topic: target.topic,
    partitions: DEFAULTS.commandPartitions,
    ...(replication ? { replicationFactor: replication } : {}),
  };
}
