/** Where a gateway reads its operator commands: the topic and its own consumer group. */
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';
import { resolveClientId } from '../producer/connection.ts';

/** Undefined when the site file reads no commands. */
export function resolveCommandTopic(site: SiteFile): { topic: string; groupId: string } | undefined {
  const commands = site.gateway.commands;
  if (!commands || commands.enabled === false) return undefined;
  return {
    topic: commands.topic ?? DEFAULTS.commandTopic,
    groupId: commands.group_id ?? `${resolveClientId(site)}-commands`,
  };
}
