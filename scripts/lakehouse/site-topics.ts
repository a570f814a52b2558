/**
 * What the lakehouse jobs read, taken from a gateway's site file: its brokers
 * (KAFKA_BROKERS overrides them, as for the gateway), every topic it writes
 * events to and its state topic. One definition with the gateway's own.
 */
import { DEFAULTS } from '../../src/config/defaults.ts';
import { formatIssue, loadSiteFile } from '../../src/config/load.ts';
import { resolveBrokers } from '../../src/producer/connection.ts';
import { eventTopics } from '../../src/producer/routing.ts';

export interface SiteTopics {
  brokers: string;
  eventTopics: string[];
  stateTopic: string | undefined;
}

export function siteTopics(file: string): SiteTopics {
  const loaded = loadSiteFile(file);
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\n'));
  const kafka = loaded.site.gateway.kafka ?? {};
  return {
    brokers: resolveBrokers(loaded.site).join(','),
    eventTopics: eventTopics(kafka.routes ?? [], kafka.topic ?? DEFAULTS.topic),
    stateTopic: kafka.state_topic,
  };
}
