/**
 * `gateway buffer …`: look into the store-and-forward buffer of a site and
 * requeue dead letters. Safe while the service runs: SQLite in WAL mode lets
 * this connection read beside the service, and a requeue waits for its lock.
 */
import { existsSync } from 'node:fs';
import type { AlarmEvent } from '../alarms/event.ts';
import { createPayloadCipher, NO_CIPHER } from '../buffer/cipher.ts';
import { resolveBufferCipher } from '../buffer/configured-cipher.ts';
import { readableEvents } from '../buffer/integrity.ts';
import { readKeyFile } from '../buffer/key-file.ts';
import { type DeadLetter, Outbox, type StoredEvent } from '../buffer/outbox.ts';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import { recordShape } from '../producer/record.ts';
import { GatewayError } from '../system/errors.ts';
import { resolveBufferPath } from '../system/state-paths.ts';

export interface BufferCommandOptions {
  /** The site file, to find the buffer; not needed with `file`. */
  config?: string;
  /** A buffer file to export directly, such as one moved aside as corrupt. */
  file?: string;
  /** The key of an encrypted buffer file given with `file`. */
  keyFile?: string;
  /** The subcommand and its arguments: stats | peek | export | dlq list | dlq requeue [seq …]. */
  args: string[];
  limit?: number;
  all?: boolean;
  json?: boolean;
  deadLetters?: boolean;
}

export const BUFFER_USAGE =
  'buffer stats | peek | export [--dead-letters] | dlq list | dlq requeue <seq …> | dlq requeue --all, with --config <site.yaml>; buffer export --file <buffer file> [--key-file <key>]';

export function bufferCommand(options: BufferCommandOptions): number {
  if (options.file !== undefined) return exportFile(options.file, options.keyFile);
  if (options.config === undefined) {
    process.stderr.write(
      `[cli] CLI_USAGE: buffer needs --config <site.yaml> or, to export, --file <buffer file>\n`,
    );
    return 2;
  }
  const loaded = loadSiteFile(options.config);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const path = resolveBufferPath(loaded.site);
  if (!existsSync(path)) {
    const error = new GatewayError(
      'BUFFER_OPEN',
      `no buffer at ${path}: the gateway has not run with this site file`,
    );
    process.stderr.write(`${error.describe()}\n`);
    return 1;
  }
  let outbox: Outbox;
  try {
    outbox = new Outbox({
      path,
      shapeOf: recordShape,
      checkIntegrity: false,
      cipher: resolveBufferCipher(loaded.site),
      // Damaged events are left out of what is shown, and named here; the service moves them aside.
      onProblem: (error) => process.stderr.write(`${error.describe()}\n`),
    });
  } catch (error) {
    process.stderr.write(`${(error as GatewayError).describe?.() ?? String(error)}\n`);
    return 1;
  }
  try {
    return dispatch(outbox, options);
  } catch (error) {
    process.stderr.write(`${error instanceof GatewayError ? error.describe() : String(error)}\n`);
    return error instanceof GatewayError && error.code === 'CLI_USAGE' ? 2 : 1;
  } finally {
    outbox.close();
  }
}

function dispatch(outbox: Outbox, options: BufferCommandOptions): number {
  const [verb, sub, ...rest] = options.args;
  const limit = options.limit ?? (verb === 'export' ? Number.MAX_SAFE_INTEGER : 20);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  switch (`${verb ?? ''}${verb === 'dlq' ? ` ${sub ?? ''}` : ''}`) {
    case 'stats':
      return stats(outbox, options.json === true, print);
    case 'peek':
      for (const event of outbox.peek(limit, Number.POSITIVE_INFINITY)) print(summary(event));
      return 0;
    case 'export':
      if (options.deadLetters) for (const letter of outbox.deadLetters(limit)) print(exported(letter));
      else for (const event of outbox.peek(limit, Number.POSITIVE_INFINITY)) print(event.payload);
      return 0;
    case 'dlq list':
      for (const letter of outbox.deadLetters(limit)) {
        print(`${summary(letter)}  failed ${new Date(letter.failedAt).toISOString()}: ${letter.reason}`);
      }
      return 0;
    case 'dlq requeue': {
      const seqs = rest.map(Number);
      const all = options.all === true;
      if (all === seqs.length > 0 || seqs.some((seq) => !Number.isInteger(seq))) {
        throw new GatewayError('CLI_USAGE', 'dlq requeue needs either seq numbers or --all');
      }
      const moved = outbox.requeue(all ? undefined : seqs);
      print(
        `requeued ${moved} event${moved === 1 ? '' : 's'}; the running gateway sends them within a second`,
      );
      return 0;
    }
    default:
      throw new GatewayError(
        'CLI_USAGE',
        `unknown buffer command "${options.args.join(' ')}"; use ${BUFFER_USAGE}`,
      );
  }
}

function stats(outbox: Outbox, json: boolean, print: (line: string) => void): number {
  const figures = { path: outbox.path, ...outbox.stats() };
  if (json) {
    print(JSON.stringify(figures));
    return 0;
  }
  const age =
    figures.oldestCreatedAt === null
      ? ''
      : ` (oldest ${Math.round((Date.now() - figures.oldestCreatedAt) / 1000)} s old, seq ${figures.oldestSeq})`;
  print(`buffer        ${figures.path}`);
  print(`waiting       ${figures.events} events, ${figures.bytes} bytes${age}`);
  print(`last seq      ${figures.lastSeq}`);
  print(`dropped       ${figures.dropped} by the buffer bounds since it was created`);
  print(`dead letters  ${figures.deadLetters}`);
  return 0;
}

function summary(event: StoredEvent): string {
  const payload = parsed(event.payload) as AlarmEvent | undefined;
  if (payload === undefined)
    return `#${event.seq} key=${event.key}  (damaged) ${event.payload.slice(0, 200)}`;
  return `#${event.seq} ${payload.priority} ${payload.transition} key=${event.key}  ${payload.message}`;
}

function exported(letter: DeadLetter): string {
  const event = parsed(letter.payload);
  return JSON.stringify({
    seq: letter.seq,
    failed_at: new Date(letter.failedAt).toISOString(),
    reason: letter.reason,
    // A dead letter that failed its checksum may no longer be JSON: then it is exported as the text read.
    ...(event === undefined ? { damaged_payload: letter.payload } : { event }),
  });
}

function parsed(payload: string): unknown {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
}

/** Exports what is readable from a buffer file, damaged or not; unreadable stretches are reported, not fatal. */
function exportFile(file: string, keyFile: string | undefined): number {
  if (!existsSync(file)) {
    process.stderr.write(`${new GatewayError('BUFFER_OPEN', `no file at ${file}`).describe()}\n`);
    return 1;
  }
  let exported = 0;
  let unreadable = 0;
  try {
    const cipher = keyFile === undefined ? NO_CIPHER : createPayloadCipher(readKeyFile(keyFile));
    for (const item of readableEvents(file, cipher)) {
      if ('error' in item) {
        unreadable += 1;
        process.stderr.write(`seq ${item.from}..${item.to} unreadable: ${item.error}\n`);
        continue;
      }
      process.stdout.write(`${item.payload}\n`);
      exported += 1;
    }
  } catch (error) {
    const described = error instanceof GatewayError ? error.describe() : (error as Error).message;
    process.stderr.write(`${file}: ${described}\n`);
    return 1;
  }
  process.stderr.write(
    `${file}: exported ${exported} events; ${unreadable} unreadable range${unreadable === 1 ? '' : 's'}\n`,
  );
  return unreadable > 0 ? 1 : 0;
}
