/**
 * The high-water file beside the buffer (`buffer.db.seq`): the highest `seq`
 * the buffer may have issued, kept outside the database so it survives the
 * loss of the database file or its WAL. Numbers are reserved in blocks, each
 * reservation written durably (temp file, fsync, rename, fsync of the
 * directory) before any of its numbers is used, so a commit does not sync a
 * second file. After each commit the last issued seq is noted in place
 * without a sync: that note survives a process crash, not a power cut, and
 * lets a restart after kill -9 tell a lost WAL from a healthy one exactly.
 * On a full disk, where not even a temp file fits, a reservation rewrites the
 * record in place and syncs it: the record is one write within one sector,
 * and the buffer goes on committing into the room SQLite still has.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatewayError } from '../system/errors.ts';
import type { HighWaterRecord } from './high-water.ts';

export const HIGH_WATER_SUFFIX = '.seq';
/** Numbers reserved per durable write: one sync of this file per this many events. */
export const SEQ_RESERVATION_BLOCK = 1000;
/** Fixed size, so a note rewrites the whole record with one write within one disk sector. */
const RECORD_BYTES = 256;
const FORMAT_VERSION = 1;

export type HighWaterRead = { record: HighWaterRecord | undefined } | { problem: string };

/** The record beside a buffer file; no file is no record, a damaged one is a problem to report. */
export function readHighWater(bufferPath: string): HighWaterRead {
  const path = bufferPath + HIGH_WATER_SUFFIX;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { record: undefined };
    return { problem: `${path}: ${(error as Error).message}` };
  }
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const count = (key: string) => {
      const value = raw[key];
      if (!Number.isSafeInteger(value) || (value as number) < 0)
        throw new Error(`${key} is not a seq number`);
      return value as number;
    };
    if (raw.v !== FORMAT_VERSION) throw new Error(`format ${String(raw.v)} is not ${FORMAT_VERSION}`);
    return {
      record: {
        reserved: count('reserved'),
        issued: count('issued'),
        heldFrom: count('held_from'),
        clean: raw.clean === true,
        boot: typeof raw.boot === 'string' ? raw.boot : undefined,
      },
    };
  } catch (error) {
    return { problem: `${path} is damaged: ${(error as Error).message}` };
  }
}

/** Linux's id of the running boot: a changed id means the machine restarted, not just the process. */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export class HighWaterFile {
  readonly path: string;
  #record: HighWaterRecord;
  #fd: number | undefined;

  /** Takes over the file with a durable, unclean record: a crash from now on is recognised as one. */
  constructor(bufferPath: string, record: HighWaterRecord) {
    this.path = bufferPath + HIGH_WATER_SUFFIX;
    this.#record = record;
    this.#replace(record);
  }

  get reserved(): number {
    return this.#record.reserved;
  }

  /** Makes sure every seq up to `upTo` is covered by a durable reservation before it is used. */
  reserve(upTo: number): void {
    if (upTo <= this.#record.reserved) return;
    this.#replace({ ...this.#record, reserved: upTo + SEQ_RESERVATION_BLOCK });
  }

  /** Notes the last committed seq in place, without a sync (see the header comment). */
  note(issued: number, heldFrom: number): void {
    const record = { ...this.#record, issued, heldFrom };
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, encode(record), 0, RECORD_BYTES, 0);
      this.#record = record;
    } catch (cause) {
      throw new GatewayError('BUFFER_SEQ_FILE', `${this.path}: ${(cause as Error).message}`, { cause });
    }
  }

  /** A clean record: exact, with nothing reserved beyond the last issued seq. */
  close(lastSeq: number, heldFrom: number): void {
    try {
      this.#replace({ ...this.#record, reserved: lastSeq, issued: lastSeq, heldFrom, clean: true });
    } finally {
      this.#closeFd();
    }
  }

  #replace(record: HighWaterRecord): void {
    const temp = `${this.path}.tmp`;
    try {
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, encode(record));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
      syncDirectory(dirname(this.path));
      this.#closeFd();
      this.#fd = openSync(this.path, 'r+');
    } catch (cause) {
      rmSync(temp, { force: true });
      if (!this.#rewriteInPlace(record, cause)) {
        throw new GatewayError('BUFFER_SEQ_FILE', `${this.path}: ${(cause as Error).message}`, { cause });
      }
    }
    this.#record = record;
  }

  /** The full-disk way (see the header comment): true when it worked. */
  #rewriteInPlace(record: HighWaterRecord, cause: unknown): boolean {
    const code = (cause as NodeJS.ErrnoException).code;
    if (this.#fd === undefined || (code !== 'ENOSPC' && code !== 'EDQUOT')) return false;
    try {
      writeSync(this.#fd, encode(record), 0, RECORD_BYTES, 0);
      fsyncSync(this.#fd);
      return true;
    } catch {
      return false;
    }
  }

  #closeFd(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function encode(record: HighWaterRecord): Buffer {
  const text = JSON.stringify({
    v: FORMAT_VERSION,
    reserved: record.reserved,
    issued: record.issued,
    held_from: record.heldFrom,
    clean: record.clean,
    ...(record.boot === undefined ? {} : { boot: record.boot }),
  });
  // Padded with spaces, which JSON.parse ignores, to the fixed size.
  return Buffer.from(`${text.padEnd(RECORD_BYTES - 1)}\n`);
}

/** Makes a rename durable: the directory entry is on disk, not only the file's contents. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
