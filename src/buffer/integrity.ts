/**
 * A corrupt buffer must neither stop the gateway nor be lost: it is moved
 * aside, never deleted, so what is still readable can be exported, and a fresh
 * buffer continues the sequence numbers where the old one can tell.
 */
import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { checksumMismatch } from './checksum.ts';
import { NO_CIPHER, type PayloadCipher } from './cipher.ts';

export interface Recovery {
  /** Where the corrupt file now is (its -wal and -shm beside it). */
  movedTo: string;
  /** What SQLite found wrong. */
  problem: string;
  /** The highest sequence number still readable in the old file; 0 if none. */
  salvagedLastSeq: number;
}

const SIDE_FILES = ['-wal', '-shm'] as const;

/** Checks an existing buffer file and moves it aside when SQLite finds it damaged. */
export function moveAsideIfCorrupt(path: string, now = new Date()): Recovery | undefined {
  if (!existsSync(path)) return undefined;
  const problem = integrityProblem(path);
  if (problem === undefined) return undefined;
  const salvagedLastSeq = readableLastSeq(path);
  const movedTo = `${path}.corrupt-${now.toISOString().replaceAll(':', '-')}`;
  renameSync(path, movedTo);
  for (const suffix of SIDE_FILES) {
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
  }
  return { movedTo, problem, salvagedLastSeq };
}

function integrityProblem(path: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    // quick_check reads every page but skips the index-content cross-checks: a start-up cost of seconds, not minutes.
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const findings = rows.map((row) => row.quick_check);
    return findings.length === 1 && findings[0] === 'ok' ? undefined : findings.slice(0, 5).join('; ');
  } catch (error) {
    return (error as Error).message;
  } finally {
    db?.close();
  }
}

/**
 * Opens a damaged file read-only for salvage. SQLite refuses a file shorter
 * than its header says (cut off at the end) unless the schema is writable,
 * which better-sqlite3's defensive mode forbids: both are lifted on this
 * read-only connection, so every page still on disk can be read.
 */
export function openForSalvage(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
  } catch {
    // an older SQLite without the lenient reading: the strict one still reads an intact file
  }
  return db;
}

/** Best effort: whatever of last_seq or the highest seq the damaged file still yields. */
export function readableLastSeq(path: string): number {
  let db: Database.Database | undefined;
  let best = 0;
  try {
    db = openForSalvage(path);
    for (const sql of [
      "SELECT CAST(value AS INTEGER) AS n FROM meta WHERE key = 'last_seq'",
      'SELECT MAX(seq) AS n FROM outbox',
      'SELECT MAX(seq) AS n FROM dead_letter',
      // The indexes hold every seq too, on other pages than the table's last one.
      'SELECT MAX(seq) AS n FROM outbox INDEXED BY outbox_key',
      'SELECT MAX(seq) AS n FROM outbox INDEXED BY outbox_eviction',
    ]) {
      try {
        const n = Number((db.prepare(sql).get() as { n: number | null } | undefined)?.n ?? 0);
        if (Number.isFinite(n)) best = Math.max(best, n);
      } catch {
        // that part of the file is unreadable; the others may still answer
      }
    }
  } catch {
    // not even openable: nothing salvaged
  } finally {
    db?.close();
  }
  return best;
}

type Salvaged = { seq: number; payload: string } | { error: string; from: number; to: number };

/**
 * Reads the events of a buffer file range by range of sequence numbers; a
 * range that hits a damaged page is split in halves down to single events, so
 * only the events on that page are lost. A file cut short is read up to
 * where it ends. Unreadable stretches, and events that fail their checksum,
 * are yielded as errors.
 */
export function* readableEvents(
  path: string,
  cipher: PayloadCipher = NO_CIPHER,
  chunk = 1000,
): Generator<Salvaged> {
  const db = openForSalvage(path);
  try {
    const last = readableLastSeq(path);
    let first = 1;
    try {
      first = Number((db.prepare('SELECT MIN(seq) AS n FROM outbox').get() as { n: number | null }).n ?? 1);
    } catch {
      // the index is damaged: scan from the start
    }
    const range = db.prepare(
      `SELECT seq, payload, record_key, headers, ${hasChecksums(db) ? 'checksum' : 'NULL AS checksum'}
       FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq`,
    );
    let pending: { error: string; from: number; to: number } | undefined;
    for (let from = first; from <= last; from += chunk) {
      for (const item of salvage(range, from, Math.min(from + chunk - 1, last))) {
        if ('error' in item) {
          // Neighbouring unreadable events are reported as one stretch.
          if (pending && pending.to + 1 === item.from) pending.to = item.to;
          else {
            if (pending) yield pending;
            pending = { ...item };
          }
          continue;
        }
        if (pending) yield pending;
        pending = undefined;
        yield readRow(item, cipher);
      }
    }
    if (pending) yield pending;
  } finally {
    db.close();
  }
}

/** A row read from its page may still have changed on disk, or not decrypt: then it is as unreadable as a damaged page. */
function readRow(row: SalvagedRow, cipher: PayloadCipher): Salvaged {
  const mismatch = checksumMismatch(row);
  if (mismatch !== undefined) return { error: mismatch, from: row.seq, to: row.seq };
  try {
    return { seq: row.seq, payload: cipher.open(row.seq, row.payload) };
  } catch (error) {
    return { error: (error as Error).message, from: row.seq, to: row.seq };
  }
}

interface SalvagedRow {
  seq: number;
  payload: string;
  record_key: string;
  headers: string;
  checksum: number | null;
}

/** Files from before the checksum column have none to check. */
function hasChecksums(db: Database.Database): boolean {
  try {
    return (db.pragma('table_info(outbox)') as { name: string }[]).some(
      (column) => column.name === 'checksum',
    );
  } catch {
    return false;
  }
}

function salvage(
  range: Database.Statement,
  from: number,
  to: number,
): (SalvagedRow | { error: string; from: number; to: number })[] {
  try {
    return range.all(from, to) as SalvagedRow[];
  } catch (error) {
    if (from === to) return [{ error: (error as Error).message, from, to }];
    const middle = Math.floor((from + to) / 2);
    return [...salvage(range, from, middle), ...salvage(range, middle + 1, to)];
  }
}
