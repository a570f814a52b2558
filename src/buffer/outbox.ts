/**
 * The transactional outbox: alarm state and the events it produced are
 * committed together, and an event leaves only when the broker acknowledged it
 * or when the buffer's stated bounds drop it, which is itself reported.
 */

import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AlarmEvent, AlarmEventDraft } from '../alarms/event.ts';
import type { Priority } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import {
  type BufferBounds,
  FILE_BYTES_PER_PAYLOAD_BYTE,
  PRIORITY_RANK,
  UNBOUNDED,
  WAL_ALLOWANCE_BYTES,
} from './bounds.ts';
import { KEY_CHECK_TEXT, NO_CIPHER, type PayloadCipher } from './cipher.ts';
import { type BufferDatabase, openBufferDatabase, type Synchronous } from './database.ts';
import { type DropCause, type DroppedEvent, type DroppedTally, tallyDrops } from './dropped.ts';
import { moveAsideIfCorrupt, type Recovery } from './integrity.ts';

export interface StateChange {
  conditionId: string;
  state: unknown;
}

/** How an event travels: its record key and headers, fixed when it is committed. */
export interface RecordShape {
  key: string;
  headers: Record<string, string>;
}

export interface StoredEvent extends RecordShape {
  seq: number;
  eventId: string;
  payload: string;
  bytes: number;
}

export interface OutboxStats {
  events: number;
  bytes: number;
  oldestSeq: number | null;
  oldestCreatedAt: number | null;
  lastSeq: number;
  /** Events dropped by the bounds since the buffer was created. */
  dropped: number;
  /** Events the broker refused for good, waiting in the dead-letter table. */
  deadLetters: number;
}

export interface DeadLetter extends StoredEvent {
  failedAt: number;
  reason: string;
}

export interface BoundedOptions {
  bounds: BufferBounds;
  /** Builds the event that reports dropped events to downstream. */
  report: (tally: DroppedTally, now: number) => AlarmEventDraft;
  /** At most one report per interval, so a buffer that stays full does not fill itself with reports. */
  reportIntervalMs?: number;
}

export interface OutboxOptions {
  path: string;
  synchronous?: Synchronous;
  /** Key and headers an event is sent with, stored with it so a restart sends exactly the same record. */
  shapeOf: (event: AlarmEvent) => RecordShape;
  /**
   * Check the file at open and move a corrupt one aside (default true). Off
   * for the CLI, which must never move the running service's file.
   */
  checkIntegrity?: boolean;
  /** Encrypts payloads at rest; without it they are stored as plain JSON. */
  cipher?: PayloadCipher;
  /** Events committed within this window count as fresh for peekLive (default 10 s). */
  liveWindowMs?: number;
  /** Size and age bounds; without them the buffer grows as long as the disk lets it. */
  bounded?: BoundedOptions;
  now?: () => number;
}

const META = {
  lastSeq: 'last_seq',
  pendingDrops: 'pending_drops',
  droppedTotal: 'dropped_total',
  keyCheck: 'key_check',
} as const;
const EVICTION_CHUNK = 256;
const DEFAULT_LIVE_WINDOW_MS = 10_000;
/** SQLite's auto_vacuum value for INCREMENTAL. */
const INCREMENTAL = 2;
/** Free pages (4 KiB) worth giving back, and at most how many per maintenance call (2 MiB, so the WAL stays small). */
const RECLAIM_MIN_FREE_PAGES = 256;
const PAGE_BYTES = 4096;
/** Payload from which the file's own overhead ratio is trusted over the default. */
const RATIO_SAMPLE_BYTES = 1_048_576;
/** Share of the file's capacity the buffer keeps when the disk allows no growth. */
const IN_PLACE_SHARE = 0.95;
const RECLAIM_PAGES_PER_CALL = 512;

// Prepared once per connection: a statement prepared per call holds native
// memory until the garbage collector finalizes it, which grows the process
// steadily under a high commit rate.
function prepareStatements(db: BufferDatabase) {
  return {
    insertEvent: db.prepare(
      'INSERT INTO outbox (seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
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
    oldest: db.prepare(
      'SELECT seq, event_id, record_key, headers, payload, bytes FROM outbox ORDER BY seq LIMIT ?',
    ),
    remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    oldestSeq: db.prepare('SELECT seq FROM outbox ORDER BY seq LIMIT 1'),
    // Recent events whose record key has nothing older waiting: sending them now keeps per-key order.
    live: db.prepare(
      `SELECT seq, event_id, record_key, headers, payload, bytes FROM outbox AS o
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
      `INSERT INTO dead_letter (seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, failed_at, reason)
       SELECT seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank, ?, ? FROM outbox WHERE seq = ?`,
    ),
    deadLetters: db.prepare(
      'SELECT seq, event_id, record_key, headers, payload, bytes, failed_at, reason FROM dead_letter ORDER BY seq LIMIT ?',
    ),
    requeue: db.prepare(
      `INSERT INTO outbox (seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank)
       SELECT seq, event_id, record_key, headers, payload, bytes, created_at, priority_rank FROM dead_letter WHERE seq = ?`,
    ),
    removeDeadLetter: db.prepare('DELETE FROM dead_letter WHERE seq = ?'),
    allDeadLetterSeqs: db.prepare('SELECT seq FROM dead_letter ORDER BY seq'),
    evictionCandidates: db.prepare(
      'SELECT seq, bytes, priority_rank AS rank FROM outbox WHERE seq > ? ORDER BY priority_rank DESC, seq LIMIT ?',
    ),
    // created_at grows with seq, so the expired events are a prefix of the outbox in seq order.
    oldestUnleased: db.prepare('SELECT created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1'),
    prefix: db.prepare(
      'SELECT seq, bytes, priority_rank AS rank, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
  };
}

interface EventRow {
  seq: number;
  event_id: string;
  record_key: string;
  headers: string;
  payload: string;
  bytes: number;
}

function storedEvent(row: EventRow, cipher: PayloadCipher): StoredEvent {
  return {
    seq: row.seq,
    eventId: row.event_id,
    key: row.record_key,
    headers: JSON.parse(row.headers) as Record<string, string>,
    payload: cipher.open(row.seq, row.payload),
    bytes: row.bytes,
  };
}

const PRIORITY_OF_RANK = Object.fromEntries(
  Object.entries(PRIORITY_RANK).map(([priority, rank]) => [rank, priority as Priority]),
) as Record<number, Priority>;

export class Outbox {
  readonly path: string;
  /** Set when the file was corrupt at open and was replaced by a fresh one. */
  readonly recovery: Recovery | undefined;
  readonly #db: BufferDatabase;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #shapeOf: (event: AlarmEvent) => RecordShape;
  readonly #cipher: PayloadCipher;
  readonly #now: () => number;
  readonly #bounds: BufferBounds;
  readonly #bounded: BoundedOptions | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #liveWindowMs: number;
  #lastSeq: number;
  #events = 0;
  #bytes = 0;
  #droppedTotal: number;
  #pendingDrops: DroppedTally | undefined;
  #lastReportAt = Number.NEGATIVE_INFINITY;
  /** Events up to this seq are being sent: evicting them would report a loss that is not one. */
  #leasedUpTo = 0;
  /** (first seq, time) of recent commits, oldest first, to find where "live" starts. */
  readonly #recentCommits: { seq: number; at: number }[] = [];
  /** Payload bytes the file system has room for, from the last maintain(). */
  #diskCapacity = Number.POSITIVE_INFINITY;
  /** SQLite's data_version as last seen: it changes when another connection commits. */
  #dataVersion = 0;

  constructor(options: OutboxOptions) {
    this.path = options.path;
    this.recovery = options.checkIntegrity === false ? undefined : moveAsideIfCorrupt(options.path);
    this.#db = openBufferDatabase(options.path, options.synchronous ?? 'full');
    this.#shapeOf = options.shapeOf;
    this.#now = options.now ?? Date.now;
    this.#liveWindowMs = options.liveWindowMs ?? DEFAULT_LIVE_WINDOW_MS;
    this.#bounded = options.bounded;
    this.#bounds = options.bounded?.bounds ?? UNBOUNDED;
    this.#sql = prepareStatements(this.#db);
    this.#cipher = options.cipher ?? NO_CIPHER;
    try {
      this.#checkKey(options.cipher !== undefined);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#lastSeq = Number(this.#meta(META.lastSeq) ?? 0);
    if (this.recovery && this.recovery.salvagedLastSeq > this.#lastSeq) {
      // Downstream sees seq continue after the gap instead of starting over.
      this.#lastSeq = this.recovery.salvagedLastSeq;
      this.#sql.saveMeta.run(META.lastSeq, String(this.#lastSeq));
    }
    this.#droppedTotal = Number(this.#meta(META.droppedTotal) ?? 0);
    const pending = this.#meta(META.pendingDrops);
    this.#pendingDrops = pending === undefined ? undefined : (JSON.parse(pending) as DroppedTally);
    this.#resyncTotals();
    this.#dataVersion = Number(this.#db.pragma('data_version', { simple: true }));
  }

  /** A wrong or missing key is found at start, not when the first batch goes out. */
  #checkKey(encrypting: boolean): void {
    const check = this.#meta(META.keyCheck);
    if (check === undefined) {
      if (encrypting) this.#sql.saveMeta.run(META.keyCheck, this.#cipher.seal(0, KEY_CHECK_TEXT));
      return;
    }
    if (!encrypting) {
      throw new GatewayError('BUFFER_KEY', `${this.path} is encrypted and no key is configured`);
    }
    let opened: string | undefined;
    try {
      opened = this.#cipher.open(0, check);
    } catch {
      opened = undefined;
    }
    if (opened !== KEY_CHECK_TEXT) {
      throw new GatewayError('BUFFER_KEY', `${this.path} was written with another key`);
    }
  }

  #meta(key: string): string | undefined {
    return (this.#sql.loadMeta.get(key) as { value: string } | undefined)?.value;
  }

  /**
   * Commits state changes and their events in one transaction and returns the
   * events with their sequence numbers. Either all of it is durable or none.
   * A full buffer applies its policy in the same transaction: evict the lowest
   * priority, drop the new events, or refuse the commit (BUFFER_FULL).
   */
  commit(changes: readonly StateChange[], drafts: readonly AlarmEventDraft[], expire = false): AlarmEvent[] {
    const now = this.#now();
    const { whenFull } = this.#bounds;
    const maxBytes = Math.min(this.#bounds.maxBytes, this.#diskCapacity);
    const sizeCause: DropCause = maxBytes < this.#bounds.maxBytes ? 'disk' : 'size';
    if (whenFull === 'block' && drafts.length > 0 && this.#bytes >= maxBytes) {
      throw new GatewayError(
        'BUFFER_FULL',
        `${this.#events} events, ${this.#bytes} bytes (limit ${maxBytes})`,
      );
    }
    const { insertEvent, upsertState, saveMeta } = this.#sql;
    let seq = this.#lastSeq;
    let events = this.#events;
    let bytes = this.#bytes;
    let pending = this.#pendingDrops;
    let droppedTotal = this.#droppedTotal;
    let lastReportAt = this.#lastReportAt;
    const committed: AlarmEvent[] = [];
    const insert = (draft: AlarmEventDraft): AlarmEvent => {
      seq += 1;
      const event: AlarmEvent = { ...draft, seq };
      const payload = JSON.stringify(event);
      const size = Buffer.byteLength(payload);
      if (whenFull === 'drop_newest' && draft.kind !== 'system' && bytes + size > maxBytes) {
        pending = tallyDrops(pending, [{ seq, priority: event.priority }], sizeCause, now);
        return event;
      }
      const shape = this.#shapeOf(event);
      insertEvent.run(
        seq,
        event.event_id,
        shape.key,
        JSON.stringify(shape.headers),
        this.#cipher.seal(seq, payload),
        size,
        now,
        PRIORITY_RANK[event.priority],
      );
      events += 1;
      bytes += size;
      committed.push(event);
      return event;
    };
    try {
      this.#db.transaction(() => {
        for (const draft of drafts) insert(draft);
        for (const change of changes) upsertState.run(change.conditionId, JSON.stringify(change.state), now);
        if (whenFull === 'evict_low_priority' && bytes > maxBytes) {
          const evicted = this.#evict(
            (limit) => this.#sql.evictionCandidates.all(this.#leasedUpTo, limit),
            bytes - maxBytes,
          );
          pending = tallyDrops(pending, evicted.events, sizeCause, now);
          events -= evicted.events.length;
          bytes -= evicted.bytes;
        }
        if (expire) {
          const expired = this.#expire(now);
          pending = tallyDrops(pending, expired.events, 'age', now);
          events -= expired.events.length;
          bytes -= expired.bytes;
        }
        if (pending && this.#bounded && now - lastReportAt >= (this.#bounded.reportIntervalMs ?? 10_000)) {
          insert(this.#bounded.report(pending, now));
          droppedTotal += pending.count;
          saveMeta.run(META.droppedTotal, String(droppedTotal));
          this.#sql.deleteMeta.run(META.pendingDrops);
          pending = undefined;
          lastReportAt = now;
        } else if (pending !== this.#pendingDrops) {
          saveMeta.run(META.pendingDrops, JSON.stringify(pending));
        }
        if (seq !== this.#lastSeq) saveMeta.run(META.lastSeq, String(seq));
      })();
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
    if (committed[0]) this.#recentCommits.push({ seq: committed[0].seq, at: now });
    this.#forgetStaleCommits(now);
    this.#lastSeq = seq;
    this.#events = events;
    this.#bytes = bytes;
    this.#pendingDrops = pending;
    this.#droppedTotal = droppedTotal;
    this.#lastReportAt = lastReportAt;
    if (committed.length > 0) for (const listener of this.#listeners) listener();
    return committed;
  }

  /**
   * Applies the age bound and reports drops that waited for the report
   * interval. Run it periodically: age is checked here, not on every commit.
   */
  maintain(): AlarmEvent[] {
    // The buffer CLI may requeue dead letters while the service runs; only then recount.
    const dataVersion = Number(this.#db.pragma('data_version', { simple: true }));
    if (dataVersion !== this.#dataVersion) {
      this.#dataVersion = dataVersion;
      this.#resyncTotals();
    }
    this.#measureDisk();
    this.#reclaimFreePages();
    const { maxAgeMs } = this.#bounds;
    const oldest = this.#sql.oldestUnleased.get(this.#leasedUpTo) as { created_at: number } | undefined;
    const expire =
      maxAgeMs !== undefined && oldest !== undefined && oldest.created_at < this.#now() - maxAgeMs;
    if (!expire && this.#pendingDrops === undefined) return [];
    return this.commit([], [], expire);
  }

  /**
   * Gives pages freed by delivered events back to the file system, a bounded
   * amount per call so the forwarder never waits long for the write lock.
   */
  #reclaimFreePages(): void {
    const free = Number(this.#db.pragma('freelist_count', { simple: true }));
    if (free < RECLAIM_MIN_FREE_PAGES) return;
    // Only a file that is mostly empty (a drained backlog): under eviction, freed pages are reused at once.
    const fileBytes = Number(this.#db.pragma('page_count', { simple: true })) * PAGE_BYTES;
    if (this.#bytes * FILE_BYTES_PER_PAYLOAD_BYTE * 2 > fileBytes) return;
    if (Number(this.#db.pragma('auto_vacuum', { simple: true })) !== INCREMENTAL) return;
    this.#db.pragma(`incremental_vacuum(${RECLAIM_PAGES_PER_CALL})`);
    // In WAL mode the file is only cut at a checkpoint; a passive one never waits for readers.
    this.#db.pragma('wal_checkpoint(PASSIVE)');
  }

  /**
   * What the database file may grow to is its size now plus the free space,
   * less the reserve and the WAL's room, in payload bytes; never less than what
   * it holds and can still take in its free pages.
   */
  #measureDisk(): void {
    const reserve = this.#bounds.diskReserveBytes;
    if (reserve <= 0) return;
    try {
      const fs = statfsSync(dirname(this.path));
      const free = fs.bavail * fs.bsize;
      const file = statSync(this.path, { throwIfNoEntry: false })?.size ?? 0;
      const wal = statSync(`${this.path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
      // The database as SQLite sees it, pages still in the WAL included.
      const logical = Number(this.#db.pragma('page_count', { simple: true })) * PAGE_BYTES;
      const freePages = Number(this.#db.pragma('freelist_count', { simple: true })) * PAGE_BYTES;
      // File bytes per payload byte as this file shows it (keys, headers, index, encryption), once it says enough.
      const ratio =
        this.#bytes >= RATIO_SAMPLE_BYTES
          ? Math.max((logical - freePages) / this.#bytes, 1)
          : FILE_BYTES_PER_PAYLOAD_BYTE;
      const growth = (file + wal + free - reserve - WAL_ALLOWANCE_BYTES) / ratio;
      // Never evict below what the file holds without growing, less a margin for fragmentation:
      // a disk filled by someone else stops the growth, it does not empty the buffer.
      const inPlace = (logical / ratio) * IN_PLACE_SHARE;
      this.#diskCapacity = Math.max(inPlace, growth);
    } catch {
      this.#diskCapacity = Number.POSITIVE_INFINITY;
    }
  }

  /** Deletes candidates in eviction order until at least `excess` bytes are freed. */
  #evict(candidates: (limit: number) => unknown[], excess: number) {
    const dropped: DroppedEvent[] = [];
    let freed = 0;
    while (freed < excess) {
      const victims = candidates(EVICTION_CHUNK) as { seq: number; bytes: number; rank: number }[];
      if (victims.length === 0) break;
      for (const victim of victims) {
        this.#sql.remove.run(victim.seq);
        dropped.push({ seq: victim.seq, priority: PRIORITY_OF_RANK[victim.rank] ?? 'medium' });
        freed += victim.bytes;
        if (freed >= excess) break;
      }
    }
    return { events: dropped, bytes: freed };
  }

  #expire(now: number): { events: DroppedEvent[]; bytes: number } {
    const { maxAgeMs } = this.#bounds;
    if (maxAgeMs === undefined) return { events: [], bytes: 0 };
    const cutoff = now - maxAgeMs;
    const expired = (limit: number) => {
      const rows = this.#sql.prefix.all(this.#leasedUpTo, limit) as { created_at: number }[];
      const fresh = rows.findIndex((row) => row.created_at >= cutoff);
      return fresh === -1 ? rows : rows.slice(0, fresh);
    };
    return this.#evict(expired, Number.POSITIVE_INFINITY);
  }

  /** Persisted alarm states by condition id, to resume exactly where the last run stopped. */
  loadStates(): Map<string, unknown> {
    const rows = this.#sql.loadStates.all() as {
      condition_id: string;
      state: string;
    }[];
    return new Map(rows.map((row) => [row.condition_id, JSON.parse(row.state) as unknown]));
  }

  /**
   * The oldest events, in sequence order, within both bounds (at least one
   * event if any is waiting). They stay leased, safe from eviction, until the
   * next peek.
   */
  peek(maxEvents: number, maxBytes: number): StoredEvent[] {
    const batch = this.#batchOf(this.#sql.oldest.all(maxEvents) as EventRow[], maxBytes);
    this.#leasedUpTo = batch.at(-1)?.seq ?? 0;
    return batch;
  }

  /**
   * Events committed within the live window whose record key has no older
   * event waiting, oldest first: while a backlog drains, these can go ahead of
   * it without reordering any key.
   */
  peekLive(maxEvents: number, maxBytes: number): StoredEvent[] {
    this.#forgetStaleCommits(this.#now());
    const from = this.#recentCommits[0]?.seq;
    if (from === undefined) return [];
    // Fresh events within reach of the next regular batch need no lane of their own.
    const oldest = (this.#sql.oldestSeq.get() as { seq: number } | undefined)?.seq;
    if (oldest === undefined || from < oldest + maxEvents) return [];
    return this.#batchOf(this.#sql.live.all(from, maxEvents) as EventRow[], maxBytes);
  }

  /** Keeps only the commits of the live window, so the list stays small however long the gateway runs. */
  #forgetStaleCommits(now: number): void {
    const since = now - this.#liveWindowMs;
    while ((this.#recentCommits[0]?.at ?? Number.POSITIVE_INFINITY) < since) this.#recentCommits.shift();
  }

  /** Rows in order up to the byte bound, but always at least one. */
  #batchOf(rows: readonly EventRow[], maxBytes: number): StoredEvent[] {
    const batch: StoredEvent[] = [];
    let bytes = 0;
    for (const row of rows) {
      if (batch.length > 0 && bytes + row.bytes > maxBytes) break;
      bytes += row.bytes;
      batch.push(storedEvent(row, this.#cipher));
    }
    return batch;
  }

  /** Removes events the broker acknowledged. */
  remove(events: readonly StoredEvent[]): void {
    const del = this.#sql.remove;
    let removed = 0;
    let freed = 0;
    try {
      this.#db.transaction(() => {
        for (const event of events) {
          if (del.run(event.seq).changes === 0) continue;
          removed += 1;
          freed += event.bytes;
        }
      })();
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
    this.#events -= removed;
    this.#bytes -= freed;
  }

  /**
   * Moves an event the broker will never accept to the dead-letter table, with
   * the reason, so it stops blocking the events behind it.
   */
  deadLetter(event: StoredEvent, reason: string): void {
    try {
      this.#db.transaction(() => {
        this.#sql.toDeadLetter.run(this.#now(), reason, event.seq);
        if (this.#sql.remove.run(event.seq).changes > 0) {
          this.#events -= 1;
          this.#bytes -= event.bytes;
        }
      })();
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
  }

  deadLetters(limit = 1000): DeadLetter[] {
    const rows = this.#sql.deadLetters.all(limit) as (EventRow & { failed_at: number; reason: string })[];
    return rows.map((row) => ({
      ...storedEvent(row, this.#cipher),
      failedAt: row.failed_at,
      reason: row.reason,
    }));
  }

  /** Puts dead letters back in the outbox (all of them without seqs), e.g. after an ACL was fixed. */
  requeue(seqs?: readonly number[]): number {
    const chosen = seqs ?? (this.#sql.allDeadLetterSeqs.all() as { seq: number }[]).map((row) => row.seq);
    let moved = 0;
    try {
      this.#db.transaction(() => {
        for (const seq of chosen) {
          if (this.#sql.requeue.run(seq).changes === 0) continue;
          this.#sql.removeDeadLetter.run(seq);
          moved += 1;
        }
      })();
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
    this.#resyncTotals();
    if (moved > 0) for (const listener of this.#listeners) listener();
    return moved;
  }

  /** Counts what is buffered from the table itself, when another connection may have changed it. */
  #resyncTotals(): void {
    const totals = this.#sql.totals.get() as { events: number; bytes: number };
    this.#events = totals.events;
    this.#bytes = totals.bytes;
  }

  stats(): OutboxStats {
    const row = this.#sql.stats.get() as {
      oldestSeq: number | null;
      oldestCreatedAt: number | null;
      deadLetters: number;
    };
    return {
      events: this.#events,
      bytes: this.#bytes,
      ...row,
      lastSeq: this.#lastSeq,
      dropped: this.#droppedTotal + (this.#pendingDrops?.count ?? 0),
    };
  }

  /** The durability settings in force, as SQLite reports them. */
  durability(): { journalMode: string; synchronous: 'full' | 'normal' | 'other' } {
    const journalMode = String(this.#db.pragma('journal_mode', { simple: true }));
    const level = Number(this.#db.pragma('synchronous', { simple: true }));
    return { journalMode, synchronous: level === 2 ? 'full' : level === 1 ? 'normal' : 'other' };
  }

  /** Called after each commit that added events, so the forwarder wakes without polling. */
  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#listeners.clear();
    if (this.#db.open) this.#db.close();
  }
}
