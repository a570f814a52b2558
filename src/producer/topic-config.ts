import type { TopicConfig } from '../config/schema.ts';

/** Kafka takes every topic config as text. */
export function configText(config: TopicConfig | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(config ?? {}).map(([name, value]) => [name, String(value)]));
}
