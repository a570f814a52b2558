/**
 * The gateway's topics as the site file describes them. One list serves the
 * start-up check and `gateway topics ensure`; every topic the gateway writes
 * or reads belongs in gatewayTopics.
 */
import type { SiteFile } from '../config/schema.ts';
import type { TopicSpec } from './kafka-client.ts';
import { outputPlan } from './output-plan.ts';

/** The topic alarm events go to when no route says otherwise (gateway.kafka.topic). */
export function eventsTopic(site: SiteFile): TopicSpec {
  return gatewayTopics(site)[0] as TopicSpec;
}

/** Every topic of the gateway, each once: the default topic first, then routed topics and the state topic. */
export function gatewayTopics(site: SiteFile): TopicSpec[] {
  return outputPlan(site.gateway.kafka ?? {}).topics;
}
