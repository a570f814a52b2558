#!/usr/bin/env node
/** The command line: parses arguments and hands over to one command. */
import { parseArgs } from 'node:util';
import { ERRORS } from './system/errors.ts';

// Each command loads its own modules when it runs: `run` on a Modbus site must
// not pay for the simulator's OPC UA server, nor `validate` for any protocol.

const USAGE = `Usage: gateway <command> [options]

Commands:
  run --config <site.yaml>     Run the gateway: poll devices, raise alarms, buffer and forward events
  validate <site.yaml>         Check a site file; print every problem with file:line:col; exit 1 if any
  doctor --config <site.yaml>  Check the site file, every device (one read each), the broker, the clock,
                               disk space and permissions; say what to fix; exit 1 on a problem
                               (--timeout MS per device and broker, default 5000)
  simulate <site.yaml>         Serve simulated PLCs for every device of a site file
  buffer --config <site.yaml> stats | peek | export | dlq list | dlq requeue <seq …> | dlq requeue --all
                               Inspect the buffer, export its events (JSON lines; --dead-letters),
                               requeue dead letters; safe while the gateway runs (--limit N, --json)
  buffer export --file <file> [--key-file <key>]
                               Export what is readable from a buffer file, e.g. one moved aside as corrupt
  topics ensure --config <site.yaml> [--check] [--increase-partitions]
                               Create the gateway's topics with the partitions, replication and
                               topic_config of the site file, or (--check) only report how they
                               differ; exit 1 on any difference; partitions grow only when asked
  certs list --config <site.yaml>
                               List OPC UA server certificates the gateway refused or trusts
  certs trust <thumbprint|file> --config <site.yaml>
                               Trust a refused server certificate (or a certificate file)
  alarm list --config <site.yaml>
                               The alarms of the running gateway that need attention (through its listener)
  alarm <ack|shelve|unshelve|remove-from-service|return-to-service|reset>
        <condition_id | --scope site/area[/line[/asset]]> --config <site.yaml>
        [--via listener|broker] [--actor NAME] [--comment TEXT] [--for 30m | --one-shot]
                               Act on an alarm (--scope: ack only; --for or --one-shot: shelve only).
                               --via listener: through the running gateway's listener, answered at once;
                               needs gateway.listener.operator_token (or --token-file); --url to override.
                               --via broker: to the command topic (gateway.commands), as any sender
                               does; prints the command id; applied when the gateway reads it.
                               Default: the listener when the site file gives it an operator token,
                               else the broker. The actor defaults to the user who runs it.
                               (Deprecated spellings, still taken: alarms … for alarm … --via listener,
                               --duration for --for.)
  loglevel [<component> <level>] --config <site.yaml>
                               Show or set the log level of a component of the running gateway
  help                         Show this text

Environment:
  KAFKA_BROKERS                Comma-separated brokers; overrides gateway.kafka.brokers
  STATE_DIRECTORY              Directory of the buffer; overrides gateway.state_dir (set by systemd)
  LOG_LEVEL                    trace | debug | info | warn | error; overrides gateway.log_level
  BUFFER_KEY_FILE              Key of the encrypted buffer; overrides gateway.buffer.encryption_key_file
`;

/** An old spelling still works for one release, and says so on stderr. */
function deprecated(text: string): void {
  process.stderr.write(`[cli] deprecated: ${text}; the old spelling goes in the next release\n`);
}

function usageError(message: string): number {
  process.stderr.write(`[cli] CLI_USAGE: ${message} (${ERRORS.CLI_USAGE.todo})\n\n${USAGE}`);
  return 2;
}

async function certs(file: string | undefined, [action, target]: string[]): Promise<number> {
  if (action !== 'list' && action !== 'trust') return usageError('certs needs list or trust');
  if (action === 'trust' && !target)
    return usageError('certs trust needs a thumbprint or a certificate file');
  if (!file) return usageError(`certs ${action} needs --config <site.yaml>`);
  const { certsCommand } = await import('./cli/certs.ts');
  return certsCommand(file, action, target);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed: {
    values: {
      config?: string | undefined;
      limit?: string | undefined;
      all?: boolean | undefined;
      json?: boolean | undefined;
      'dead-letters'?: boolean | undefined;
      file?: string | undefined;
      'key-file'?: string | undefined;
      check?: boolean | undefined;
      'increase-partitions'?: boolean | undefined;
      actor?: string | undefined;
      comment?: string | undefined;
      for?: string | undefined;
      duration?: string | undefined;
      scope?: string | undefined;
      'one-shot'?: boolean | undefined;
      url?: string | undefined;
      'token-file'?: string | undefined;
      timeout?: string | undefined;
      via?: string | undefined;
    };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        config: { type: 'string', short: 'c' },
        limit: { type: 'string', short: 'n' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        'dead-letters': { type: 'boolean' },
        file: { type: 'string' },
        'key-file': { type: 'string' },
        check: { type: 'boolean' },
        'increase-partitions': { type: 'boolean' },
        actor: { type: 'string' },
        comment: { type: 'string' },
        for: { type: 'string' },
        duration: { type: 'string' },
        scope: { type: 'string' },
        'one-shot': { type: 'boolean' },
        url: { type: 'string' },
        'token-file': { type: 'string' },
        timeout: { type: 'string' },
        via: { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const file = parsed.values.config ?? parsed.positionals[0];
  switch (command) {
    case 'certs':
      return certs(parsed.values.config, parsed.positionals);
    case 'topics': {
      const { config, check, json } = parsed.values;
      if (parsed.positionals[0] !== 'ensure') return usageError('topics needs ensure');
      if (!config) return usageError('topics ensure needs --config <site.yaml>');
      if (check && parsed.values['increase-partitions'])
        return usageError('--check changes nothing; leave out --increase-partitions');
      const { topicsEnsureCommand } = await import('./cli/topics.ts');
      return topicsEnsureCommand({
        config,
        check: check ?? false,
        increasePartitions: parsed.values['increase-partitions'] ?? false,
        json: json ?? false,
      });
    }
    case 'run':
      if (!file) return usageError('run needs --config <site.yaml>');
      return (await import('./cli/run.ts')).runCommand(file);
    case 'doctor': {
      const { timeout } = parsed.values;
      if (!file) return usageError('doctor needs --config <site.yaml>');
      if (timeout !== undefined && !/^[1-9][0-9]*$/.test(timeout))
        return usageError('--timeout needs a positive number of milliseconds');
      const { doctorCommand } = await import('./cli/doctor.ts');
      return doctorCommand(file, { timeoutMs: timeout === undefined ? 5000 : Number(timeout) });
    }
    case 'validate':
      if (!file) return usageError('validate needs a site file');
      return (await import('./cli/validate.ts')).validateCommand(file);
    case 'simulate':
      if (!file) return usageError('simulate needs a site file');
      return (await import('./cli/simulate.ts')).simulateCommand(file);
    case 'buffer': {
      const { config, limit, all, json, file: bufferFile } = parsed.values;
      const { BUFFER_USAGE, bufferCommand } = await import('./cli/buffer.ts');
      if (!config && !bufferFile) return usageError(`buffer needs --config <site.yaml>: ${BUFFER_USAGE}`);
      if (limit !== undefined && !/^[1-9][0-9]*$/.test(limit))
        return usageError('--limit needs a positive integer');
      return bufferCommand({
        ...(config === undefined ? {} : { config }),
        ...(bufferFile === undefined ? {} : { file: bufferFile }),
        ...(parsed.values['key-file'] === undefined ? {} : { keyFile: parsed.values['key-file'] }),
        args: parsed.positionals,
        ...(limit === undefined ? {} : { limit: Number(limit) }),
        ...(all ? { all } : {}),
        ...(json ? { json } : {}),
        ...(parsed.values['dead-letters'] ? { deadLetters: true } : {}),
      });
    }
    case 'alarm':
    case 'alarms': {
      const { config, scope, actor, comment, duration, via, url } = parsed.values;
      const [action, conditionId, ...extra] = parsed.positionals;
      const { ALARM_USAGE, alarmCommand } = await import('./cli/alarm.ts');
      if (command === 'alarms') deprecated('"gateway alarms" is now "gateway alarm" (with --via listener)');
      if (duration !== undefined) deprecated('--duration is now --for');
      if (duration !== undefined && parsed.values.for !== undefined) {
        return usageError('give --for, not both --for and --duration');
      }
      if (!config || !action || extra.length > 0) return usageError(ALARM_USAGE);
      return alarmCommand({
        config,
        action,
        conditionId,
        scope,
        actor,
        comment,
        for: parsed.values.for ?? duration,
        oneShot: parsed.values['one-shot'],
        // `alarms` always went through the listener.
        via: via ?? (command === 'alarms' ? 'listener' : undefined),
        url,
        tokenFile: parsed.values['token-file'],
      });
    }
    case 'loglevel': {
      const { config, url } = parsed.values;
      const { LOGLEVEL_USAGE, logLevelCommand } = await import('./cli/operator.ts');
      if (!config) return usageError(`loglevel needs --config <site.yaml>: ${LOGLEVEL_USAGE}`);
      return logLevelCommand({
        config,
        args: parsed.positionals,
        url,
        tokenFile: parsed.values['token-file'],
      });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      return usageError(`unknown command "${command}"`);
  }
}

process.exitCode = await main(process.argv.slice(2));
