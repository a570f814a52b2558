/**
 * `gateway alarms …` and `gateway loglevel …`: what an operator does from a
 * shell on the gateway, through the running service's listener (see
 * listener-client.ts): list the alarms that need attention, acknowledge,
 * shelve and unshelve them, set a component's log level.
 */
import { userInfo } from 'node:os';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import type { SiteFile } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import type { StatusReport } from '../telemetry/status-report.ts';
import {
  callListener,
  type ListenerTarget,
  listenerTarget,
  type TargetOverrides,
} from './listener-client.ts';

export const ALARMS_USAGE =
  'alarms list | ack <condition_id> | shelve <condition_id> --for <30m|2h|ms> [--one-shot] | unshelve <condition_id>, with --config <site.yaml> [--actor NAME] [--comment TEXT] [--url URL] [--token-file FILE]';

export interface OperatorOptions extends TargetOverrides {
  config: string;
  args: string[];
  actor?: string | undefined;
  comment?: string | undefined;
  for?: string | undefined;
  oneShot?: boolean | undefined;
}

interface CommandAnswer {
  accepted: boolean;
  duplicate?: boolean;
  reason?: string;
  error?: string;
  events?: { seq: number; transition: string; condition_id: string }[];
}

/** 90s, 30m, 2h, 1d, or plain milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  const ms = Number(match[1]) * unit;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

function loadTarget(options: OperatorOptions): { site: SiteFile; target: ListenerTarget } | undefined {
  const loaded = loadSiteFile(options.config);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return undefined;
  }
  return { site: loaded.site, target: listenerTarget(loaded.site, options) };
}

async function reporting(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    process.stderr.write(`${error.describe()}\n`);
    return 1;
  }
}

export function alarmsCommand(options: OperatorOptions): Promise<number> {
  return reporting(async () => {
    const [action, conditionId] = options.args;
    const loaded = loadTarget(options);
    if (!loaded) return 1;
    if (action === 'list') return listAlarms(loaded.target);
    const command = commandOf(action, conditionId, options);
    if (typeof command === 'string') {
      process.stderr.write(`[cli] CLI_USAGE: ${command}\n  ${ALARMS_USAGE}\n`);
      return 2;
    }
    const { body } = await callListener<CommandAnswer>(loaded.target, 'api/commands', {
      method: 'POST',
      body: command,
    });
    if (!body.accepted) {
      process.stderr.write(
        `${action} ${conditionId}: refused: ${body.reason ?? body.error ?? 'no reason given'}\n`,
      );
      return 1;
    }
    const events = (body.events ?? []).map((event) => `${event.transition} #${event.seq}`).join(', ');
    process.stdout.write(
      `${action} ${conditionId}: ${body.duplicate ? 'already applied' : 'done'}${events ? ` (${events})` : ''}\n`,
    );
    return 0;
  });
}

function commandOf(
  action: string | undefined,
  conditionId: string | undefined,
  options: OperatorOptions,
): Record<string, unknown> | string {
  if (action !== 'ack' && action !== 'shelve' && action !== 'unshelve')
    return `unknown alarms action "${action ?? ''}"`;
  if (!conditionId) return `alarms ${action} needs a condition_id (gateway alarms list shows them)`;
  const command: Record<string, unknown> = {
    action,
    condition_id: conditionId,
    actor: options.actor ?? process.env.SUDO_USER ?? userInfo().username,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
  };
  if (action !== 'shelve') return command;
  if (options.oneShot) return { ...command, one_shot: true };
  const duration = options.for === undefined ? undefined : parseDuration(options.for);
  if (duration === undefined) return 'alarms shelve needs --for <duration> (90s, 30m, 2h, 1d) or --one-shot';
  return { ...command, duration_ms: duration };
}

async function listAlarms(target: ListenerTarget): Promise<number> {
  const { body } = await callListener<StatusReport>(target, 'api/status');
  if (body.alarms.length === 0) {
    process.stdout.write('no alarm needs attention\n');
    return 0;
  }
  for (const alarm of body.alarms) {
    const flags = Object.entries(alarm.flags)
      .filter(([name, on]) => name !== 'level' && (name === 'acked' ? !on : on === true))
      .map(([name]) => (name === 'acked' ? 'unacked' : name));
    const level = alarm.flags.level ? ` ${alarm.flags.level}` : '';
    const age = alarm.age_s === undefined ? '' : `  ${alarm.age_s}s`;
    process.stdout.write(
      `${alarm.priority.padEnd(10)} ${alarm.condition_id}${level}  ${flags.join(',')}${age}\n`,
    );
  }
  return 0;
}

export const LOGLEVEL_USAGE =
  'loglevel [<component> <level>], with --config <site.yaml> [--url URL] [--token-file FILE]; components: adapter, alarms, buffer, producer, telemetry';

export function logLevelCommand(options: Omit<OperatorOptions, 'actor' | 'comment' | 'for' | 'oneShot'>) {
  return reporting(async () => {
    const loaded = loadTarget(options);
    if (!loaded) return 1;
    const [component, level] = options.args;
    const path =
      component === undefined
        ? 'api/loglevel'
        : `api/loglevel?component=${encodeURIComponent(component)}&level=${encodeURIComponent(level ?? '')}`;
    const { status, body } = await callListener<Record<string, string> & { error?: string }>(
      loaded.target,
      path,
      {
        method: component === undefined ? 'GET' : 'PUT',
      },
    );
    if (status >= 400) {
      process.stderr.write(`[cli] CLI_USAGE: ${body.error}\n  ${LOGLEVEL_USAGE}\n`);
      return 2;
    }
    for (const [name, value] of Object.entries(body)) process.stdout.write(`${name.padEnd(10)} ${value}\n`);
    return 0;
  });
}
