/**
 * The command topic must be one nothing else writes to: reading the alarm
 * topic as commands would answer every event with a rejection event, without
 * end, and the state topic holds alarm states, not commands.
 */
import type { CheckContext } from './check-context.ts';
import { DEFAULTS } from './defaults.ts';
import { eventTopics } from './output-checks.ts';
import { isRecord, type Path } from './paths.ts';

export function checkCommandTopic(context: CheckContext, site: Record<string, unknown>): void {
  const gateway = isRecord(site.gateway) ? site.gateway : {};
  const commands = gateway.commands;
  const topicPath = ['gateway', 'commands', 'topic'];
  if (!isRecord(commands) || !context.clean(topicPath)) return;
  const commandTopic = typeof commands.topic === 'string' ? commands.topic : DEFAULTS.commandTopic;
  const kafkaPath: Path = ['gateway', 'kafka'];
  const kafka = isRecord(gateway.kafka) ? gateway.kafka : {};
  const written = [
    ...eventTopics(kafka, kafkaPath),
    { topic: kafka.state_topic, path: [...kafkaPath, 'state_topic'] },
  ];
  const shared = written.find(({ topic }) => topic === commandTopic);
  if (!shared) return;
  const message = `the gateway writes alarm events or states to ${commandTopic}; commands need a topic of their own`;
  if (typeof commands.topic === 'string') {
    context.report('CONFIG_REFERENCE', topicPath, 'value', message);
  } else {
    context.report('CONFIG_REFERENCE', shared.path, 'value', `${message} (the default command topic)`);
  }
}
