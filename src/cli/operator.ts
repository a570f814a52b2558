/**
 * What the CLI asks of the running service through its listener (see
 * listener-client.ts): the alarms that need attention, an operator command
 * (`gateway alarm … --via listener`), and the log level of a component.
 */
import type { OperatorCommand } from '../alarms/command.ts';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import { GatewayError } from '../system/errors.ts';
import type { StatusReport } from '../telemetry/status-report.ts';
import {
  callListener,
  type ListenerTarget,
  listenerTarget,
  type TargetOverrides,
} from './listener-client.ts';

interface CommandAnswer {
  accepted: boolean;
  duplicate?: boolean;
  reason?: string;
  error?: string;
  events?: { seq: number; transition: string; condition_id: string }[];
}

/** A failure to reach the gateway or read the site's token is reported in one line, exit 1. */
export async function reporting(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    process.stderr.write(`${error.describe()}\n`);
    return 1;
  }
}

/** Applied now, or refused with the gateway's reason (exit 1). */
export async function sendToListener(
  target: ListenerTarget,
  command: OperatorCommand,
  action: string,
): Promise<number> {
  const what = `${action} ${command.condition_id ?? command.scope}`;
  const { body } = await callListener<CommandAnswer>(target, 'api/commands', {
    method: 'POST',
    body: command,
  });
  if (!body.accepted) {
    process.stderr.write(`${what}: refused: ${body.reason ?? body.error ?? 'no reason given'}\n`);
    return 1;
  }
  const events = (body.events ?? []).map((event) => `${event.transition} #${event.seq}`).join(', ');
  process.stdout.write(
    `${what}: ${body.duplicate ? 'already applied' : 'done'}${events ? ` (${events})` : ''}\n`,
  );
  return 0;
}

export async function listAlarms(target: ListenerTarget): Promise<number> {
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

export interface LogLevelOptions extends TargetOverrides {
  config: string;
  args: string[];
}

export function logLevelCommand(options: LogLevelOptions) {
  return reporting(async () => {
    const loaded = loadSiteFile(options.config);
    if (!loaded.ok) {
      for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      return 1;
    }
    const target = listenerTarget(loaded.site, options);
    const [component, level] = options.args;
    const path =
      component === undefined
        ? 'api/loglevel'
        : `api/loglevel?component=${encodeURIComponent(component)}&level=${encodeURIComponent(level ?? '')}`;
    const { status, body } = await callListener<Record<string, string> & { error?: string }>(target, path, {
      method: component === undefined ? 'GET' : 'PUT',
    });
    if (status >= 400) {
      process.stderr.write(`[cli] CLI_USAGE: ${body.error}\n  ${LOGLEVEL_USAGE}\n`);
      return 2;
    }
    for (const [name, value] of Object.entries(body)) process.stdout.write(`${name.padEnd(10)} ${value}\n`);
    return 0;
  });
}
