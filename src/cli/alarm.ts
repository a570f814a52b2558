/**
 * `gateway alarm <action> …` and `gateway alarm list`: a technician at a shell
 * acts on an alarm. The command is built and checked by the same rules as on
 * every door (validateCommand), then goes one of two ways:
 * - `--via listener`: to the running gateway's listener (POST /api/commands),
 *   which answers at once whether it was applied;
 * - `--via broker`: to the command topic, like any other sender; it works
 *   from any host that reaches the broker, also while the gateway is down.
 * Without --via: the listener when the site file gives it an operator token
 * (or --url/--token-file name one), else the broker.
 */
import { userInfo } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import { COMMAND_ACTIONS, type CommandAction, type OperatorCommand } from '../alarms/command.ts';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import type { SiteFile } from '../config/schema.ts';
import { commandRecord } from '../operator/command-record.ts';
import { describeIssues, validateCommand } from '../operator/validate-command.ts';
import { brokerConnection } from '../producer/connection.ts';
import { createBrokerClient } from '../producer/kafka-client.ts';
import { commandTopicSpec } from '../producer/topics.ts';
import { GatewayError } from '../system/errors.ts';
import { createLogger } from '../telemetry/logger.ts';
import { listenerTarget, type TargetOverrides } from './listener-client.ts';
import { listAlarms, reporting, sendToListener } from './operator.ts';

/** The actions as typed on the command line: the command's action names, with "-" for "_". */
const ACTIONS = new Map<string, CommandAction>(
  COMMAND_ACTIONS.map((action) => [action.replaceAll('_', '-'), action]),
);

export const VIAS = ['listener', 'broker'] as const;
export type Via = (typeof VIAS)[number];

export const ALARM_USAGE = `alarm <${[...ACTIONS.keys()].join('|')}> <condition_id | --scope site/area[/line[/asset]]> --config <site.yaml> [--via ${VIAS.join('|')}] [--actor NAME] [--comment TEXT] [--for 30m] [--one-shot] [--url URL] [--token-file FILE]; alarm list --config <site.yaml>`;

export interface AlarmCommandOptions extends TargetOverrides {
  config: string;
  action: string;
  conditionId?: string | undefined;
  scope?: string | undefined;
  actor?: string | undefined;
  comment?: string | undefined;
  /** How long to shelve: 90s, 30m, 2h, 1d or milliseconds. */
  for?: string | undefined;
  oneShot?: boolean | undefined;
  via?: string | undefined;
}

export async function alarmCommand(options: AlarmCommandOptions): Promise<number> {
  const loaded = loadSiteFile(options.config);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const site = loaded.site;
  const listing = options.action === 'list';
  let via: Via;
  let command: OperatorCommand | undefined;
  try {
    // The list is the running gateway's: only its listener has it.
    via = listing ? listOnlyVia(options) : transportOf(site, options);
    if (!listing) command = buildCommand(site.site, options);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    process.stderr.write(`${error.describe()}\n\nUsage: gateway ${ALARM_USAGE}\n`);
    return 2;
  }
  if (!command) return reporting(() => listAlarms(listenerTarget(site, options)));
  if (via === 'listener') {
    const sent = command;
    return reporting(() => sendToListener(listenerTarget(site, options), sent, options.action));
  }
  return sendToBroker(site, command, options.config);
}

/**
 * The listener when asked for, or when the site file lets it take commands;
 * else the broker. The listener answers at once; the broker also reaches a
 * gateway that is stopped, which applies the command when it is back.
 */
export function transportOf(site: SiteFile, options: AlarmCommandOptions): Via {
  const listenerNamed = options.url !== undefined || options.tokenFile !== undefined;
  if (options.via !== undefined) {
    if (!(VIAS as readonly string[]).includes(options.via)) {
      throw usage(`--via ${options.via}: give ${VIAS.join(' or ')}`);
    }
    if (options.via === 'broker' && listenerNamed)
      throw usage('--url and --token-file are for --via listener');
    return options.via as Via;
  }
  const listener = site.gateway.listener ?? {};
  const listenerTakesCommands = listener.enabled !== false && listener.operator_token !== undefined;
  return listenerNamed || listenerTakesCommands ? 'listener' : 'broker';
}

function listOnlyVia(options: AlarmCommandOptions): Via {
  if (options.via !== undefined && options.via !== 'listener') {
    throw usage('alarm list asks the running gateway: it takes --via listener or no --via');
  }
  return 'listener';
}

async function sendToBroker(site: SiteFile, command: OperatorCommand, file: string): Promise<number> {
  const target = commandTopicSpec(site);
  if (!target) {
    process.stderr.write(
      `${file}: this gateway reads no operator commands from the broker; add gateway.commands to the site file, or gateway.listener.operator_token to act through the running gateway (--via listener)\n`,
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

/**
 * The command as every door reads it, checked by the same rules before it
 * leaves. The actor is --actor, else the user who ran it (SUDO_USER, else the
 * login name).
 */
export function buildCommand(
  site: string,
  options: AlarmCommandOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): OperatorCommand {
  const action = ACTIONS.get(options.action);
  if (!action) {
    throw usage(`unknown alarm action "${options.action}" (one of ${[...ACTIONS.keys()].join(', ')}, list)`);
  }
  const durationMs = options.for === undefined ? undefined : parseDuration(options.for);
  if (options.for !== undefined && durationMs === undefined) {
    throw usage(`--for ${options.for} is not a duration such as 90s, 30m, 2h or 1d`);
  }
  const validated = validateCommand({
    command_id: uuidv7(),
    site,
    action,
    ...(options.conditionId === undefined ? {} : { condition_id: options.conditionId }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    actor: options.actor ?? env.SUDO_USER ?? userInfo().username,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    ...(durationMs === undefined ? {} : { duration_ms: durationMs }),
    ...(options.oneShot ? { one_shot: true } : {}),
  });
  if (!validated.ok) throw usage(describeIssues(validated.issues));
  return validated.command;
}

/** 90s, 30m, 2h, 1d, or plain milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  const ms = Number(match[1]) * unit;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

function usage(detail: string): GatewayError {
  return new GatewayError('CLI_USAGE', detail);
}
