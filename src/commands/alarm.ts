/**
 * `gateway alarm <action> …`: a technician at the gateway's shell acts on an
 * alarm. The command goes through the command topic like any other, so the
 * gateway applies it, audits it and answers it the same way.
 */
import { v7 as uuidv7 } from 'uuid';
import type { CommandAction, OperatorCommand } from '../alarms/command.ts';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import { commandRecord } from '../operator/command-record.ts';
import { readCommand } from '../operator/read-command.ts';
import { brokerConnection } from '../producer/connection.ts';
import { createBrokerClient } from '../producer/kafka-client.ts';
import { commandTopicSpec } from '../producer/topics.ts';
import { GatewayError } from '../system/errors.ts';
import { createLogger } from '../telemetry/logger.ts';
import { parseDuration } from './operator.ts';

/** The actions as typed on the command line. */
const ACTIONS: Record<string, CommandAction> = {
  ack: 'ack',
  shelve: 'shelve',
  unshelve: 'unshelve',
  'remove-from-service': 'remove_from_service',
  'return-to-service': 'return_to_service',
  reset: 'reset',
};

export const ALARM_USAGE = `alarm <${Object.keys(ACTIONS).join('|')}> <condition_id | --scope path> --config <site.yaml> --actor NAME [--comment TEXT] [--duration 30m] [--one-shot]`;

export interface AlarmCommandOptions {
  config: string;
  action: string;
  conditionId?: string;
  scope?: string;
  actor?: string;
  comment?: string;
  duration?: string;
  oneShot?: boolean;
}

export async function alarmCommand(options: AlarmCommandOptions): Promise<number> {
  const loaded = loadSiteFile(options.config);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const site = loaded.site;
  let command: OperatorCommand;
  try {
    command = buildCommand(site.site, options);
  } catch (error) {
    process.stderr.write(`${(error as GatewayError).describe()}\n\nUsage: gateway ${ALARM_USAGE}\n`);
    return 2;
  }
  const target = commandTopicSpec(site);
  if (!target) {
    process.stderr.write(
      `${options.config}: this gateway reads no operator commands; add gateway.commands to the site file first\n`,
    );
    return 1;
  }
  // One record, once: no producer id to ask for, so WRITE and DESCRIBE on the topic are all it needs.
  const client = createBrokerClient({
    ...brokerConnection(site, process.env, createLogger('silent')),
    idempotent: false,
  });
  try {
    await client.ensureTopic(target);
    await client.send([commandRecord(target.topic, command)]);
  } catch (error) {
    const failed = new GatewayError('COMMAND_SEND', error instanceof Error ? error.message : String(error));
    process.stderr.write(`${failed.describe()}\n`);
    return 1;
  } finally {
    await client.close();
  }
  process.stdout.write(
    `command ${command.command_id}: ${command.action} ${command.condition_id ?? command.scope} by ${command.actor}, sent to ${target.topic}\n`,
  );
  return 0;
}

/** The command as the gateway will read it, checked by the same rules before it is sent. */
export function buildCommand(site: string, options: AlarmCommandOptions): OperatorCommand {
  const action = ACTIONS[options.action];
  if (!action) throw usage(`unknown alarm action "${options.action}"`);
  if (!options.actor) throw usage('--actor NAME is required: every command names who gave it');
  const durationMs = options.duration === undefined ? undefined : parseDuration(options.duration);
  if (options.duration !== undefined && durationMs === undefined) {
    throw usage(`--duration ${options.duration} is not a duration such as 90s, 30m, 2h or 1d`);
  }
  const command: OperatorCommand = {
    command_id: uuidv7(),
    site,
    action,
    ...(options.conditionId === undefined ? {} : { condition_id: options.conditionId }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    actor: options.actor,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    ...(durationMs === undefined ? {} : { duration_ms: durationMs }),
    ...(options.oneShot ? { one_shot: true } : {}),
  };
  const read = readCommand(JSON.stringify(command), site);
  if (!read.ok) throw usage(read.reason);
  return command;
}

function usage(detail: string): GatewayError {
  return new GatewayError('CLI_USAGE', detail);
}
