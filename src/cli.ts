#!/usr/bin/env node
/** The command line: parses arguments and hands over to one command. */
import { parseArgs } from 'node:util';
import { BUFFER_USAGE, bufferCommand } from './commands/buffer.ts';
import { certsCommand } from './commands/certs.ts';
import { doctorCommand } from './commands/doctor.ts';
import { runCommand } from './commands/run.ts';
import { simulateCommand } from './commands/simulate.ts';
import { validateCommand } from './commands/validate.ts';
import { ERRORS } from './system/errors.ts';

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
  certs list --config <site.yaml>
                               List OPC UA server certificates the gateway refused or trusts
  certs trust <thumbprint|file> --config <site.yaml>
                               Trust a refused server certificate (or a certificate file)
  help                         Show this text

Environment:
  KAFKA_BROKERS                Comma-separated brokers; overrides gateway.kafka.brokers
  STATE_DIRECTORY              Directory of the buffer; overrides gateway.state_dir (set by systemd)
  LOG_LEVEL                    trace | debug | info | warn | error; overrides gateway.log_level
  BUFFER_KEY_FILE              Key of the encrypted buffer; overrides gateway.buffer.encryption_key_file
`;

function usageError(message: string): number {
  process.stderr.write(`[cli] CLI_USAGE: ${message} (${ERRORS.CLI_USAGE.todo})\n\n${USAGE}`);
  return 2;
}

function certs(file: string | undefined, [action, target]: string[]): number {
  if (action !== 'list' && action !== 'trust') return usageError('certs needs list or trust');
  if (action === 'trust' && !target)
    return usageError('certs trust needs a thumbprint or a certificate file');
  if (!file) return usageError(`certs ${action} needs --config <site.yaml>`);
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
      timeout?: string | undefined;
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
        timeout: { type: 'string' },
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
    case 'run':
      return file ? runCommand(file) : usageError('run needs --config <site.yaml>');
    case 'doctor': {
      const { timeout } = parsed.values;
      if (!file) return usageError('doctor needs --config <site.yaml>');
      if (timeout !== undefined && !/^[1-9][0-9]*$/.test(timeout))
        return usageError('--timeout needs a positive number of milliseconds');
      return doctorCommand(file, { timeoutMs: timeout === undefined ? 5000 : Number(timeout) });
    }
    case 'validate':
      return file ? validateCommand(file) : usageError('validate needs a site file');
    case 'simulate':
      return file ? simulateCommand(file) : usageError('simulate needs a site file');
    case 'buffer': {
      const { config, limit, all, json, file: bufferFile } = parsed.values;
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

// kafkajs 2.2.4 arms timers with negative delays on every connection (a known,
// harmless library bug); Node 24 warns about each. Other warnings still print.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning')
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

process.exitCode = await main(process.argv.slice(2));
