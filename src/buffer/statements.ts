/** The outbox's SQL, and how one of its rows becomes the event the forwarder sends. */
import type { PayloadCipher } from './cipher.ts';
import type { BufferDatabase } from './database.ts';
import type { StoredEvent } from './outbox.ts';

// Prepared once per connection: a statement prepared per call holds native
// memory until the garbage collector finalizes it, which grows the process
// steadily under a high commit rate.
export function prepareStatements(db: BufferDatabase) {
  return {
    insertEvent: db.prepare(
      'INSERT INTO outbox (seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    upsertState: db.prepare(
      `INSERT INTO alarm_state (condition_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (condition_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ),
    saveMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    deleteMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
    loadMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    loadStates: db.prepare('SELECT condition_id, state FROM alarm_state'),
    logCommand: db.prepare('INSERT INTO command_log (command_id, applied_at) VALUES (?, ?)'),
    commandApplied: db.prepare('SELECT 1 FROM command_log WHERE command_id = ?'),
    forgetCommands: db.prepare('DELETE FROM command_log WHERE applied_at < ?'),
    oldest: db.prepare(
      'SELECT seq, event_id, record_key, headers, payload, bytes, priority_rank, checksum FROM outbox ORDER BY seq LIMIT ?',
    ),
    remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    oldestSeq: db.prepare('SELECT seq FROM outbox ORDER BY seq LIMIT 1'),
    // Recent events whose record key has nothing older waiting: sending them now keeps per-key order.
    live: db.prepare(
      `SELECT seq, event_id, record_key, headers, payload, bytes, priority_rank, checksum FROM outbox AS o
       WHERE o.seq >= ? AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.record_key = o.record_key AND p.seq < o.seq)
       ORDER BY o.seq LIMIT ?`,
    ),
    totals: db.prepare('SELECT COUNT(*) AS events, COALESCE(SUM(bytes), 0) AS bytes FROM outbox'),
    // created_at grows with seq: the oldest event is the first row, found through the primary key, not a scan.
    stats: db.prepare(
      `SELECT (SELECT seq FROM outbox ORDER BY seq LIMIT 1) AS oldestSeq,
              (SELECT created_at FROM outbox ORDER BY seq LIMIT 1) AS oldestCreatedAt,
              (SELECT COUNT(*) FROM dead_letter) AS deadLetters`,
    ),
    toDeadLetter: db.prepare(
      `INSERT INTO dead_letter (seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, checksum, failed_at, reason)
       SELECT seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, checksum, ?, ? FROM outbox WHERE seq = ?`,
    ),
    deadLetters: db.prepare(
      'SELECT seq, event_id, record_key, headers, payload, bytes, priority_rank, checksum, failed_at, reason FROM dead_letter ORDER BY seq LIMIT ?',
    ),
    requeue: db.prepare(
      `INSERT INTO outbox (seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, checksum)
       SELECT seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, checksum FROM dead_letter WHERE seq = ?`,
    ),
    removeDeadLetter: db.prepare('DELETE FROM dead_letter WHERE seq = ?'),
    // Everything older has left the buffer: what the high-water file notes as held_from.
    heldFrom: db.prepare(
      `SELECT MIN(seq) AS seq FROM (SELECT MIN(seq) AS seq FROM outbox UNION ALL SELECT MIN(seq) FROM dead_letter)`,
    ),
    allDeadLetterSeqs: db.prepare('SELECT seq FROM dead_letter ORDER BY seq'),
    evictionCandidates: db.prepare(
      // Neither the regular batch in flight (up to the first ?) nor the live batch (between the next two).
      'SELECT seq, bytes, priority_rank AS rank FROM outbox WHERE seq > ? AND (seq < ? OR seq > ?) ORDER BY priority_rank DESC, seq LIMIT ?',
    ),
    // created_at grows with seq, so the expired events are a prefix of the outbox in seq order.
    oldestUnleased: db.prepare('SELECT created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1'),
    prefix: db.prepare(
      'SELECT seq, bytes, priority_rank AS rank, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
  };
}

export interface EventRow {
  seq: number;
  event_id: string;
  record_key: string;
  headers: string;
  payload: string;
  bytes: number;
  priority_rank: number;
  /** Null on rows from before the buffer kept checksums. */
  checksum: number | null;
}

export function storedEvent(row: EventRow, cipher: PayloadCipher): StoredEvent {
  return {
    seq: row.seq,
    eventId: row.event_id,
    key: row.record_key,
    headers: JSON.parse(row.headers) as Record<string, string>,
    payload: cipher.open(row.seq, row.payload),
    bytes: row.bytes,
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
