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
import { type BufferBounds, PRIORITY_RANK, UNBOUNDED } from './bounds.ts';
import { checksumMismatch, eventChecksum } from './checksum.ts';
import { KEY_CHECK_TEXT, NO_CIPHER, type PayloadCipher } from './cipher.ts';
import { type BufferDatabase, openBufferDatabase, PAGE_BYTES, type Synchronous } from './database.ts';
import { diskCapacity } from './disk-room.ts';
import {
  type DropCause,
  type DroppedEvent,
  type DroppedTally,
  tallyDrops,
  tallyLostRange,
} from './dropped.ts';
import { resumeSeq } from './high-water.ts';
import { currentBootId, HighWaterFile, readHighWater, SEQ_RESERVATION_BLOCK } from './high-water-file.ts';
import { moveAsideIfCorrupt, type Recovery } from './integrity.ts';
import { reclaimFreePages } from './reclaim.ts';
import { type EventRow, prepareStatements, type Statements, storedEvent } from './statements.ts';

export interface CommitOptions {
  /** Apply the age bound in the same transaction. */
  expire?: boolean;
  /** The operator command these changes carry out, remembered so a redelivery is recognised. */
  commandId?: string;
}

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

/** Seq numbers issued that the database no longer held at open. */
export interface LostRange {
  first: number;
  last: number;
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
   * Guard the buffer (default true): check the file at open and move a
   * corrupt one aside, keep the seq high-water file beside it, and move
   * events that fail their checksum to the dead-letter table. Off for the
   * CLI, which must never move the running service's file nor write its
   * high-water file; it only leaves damaged events out of what it shows.
   */
  checkIntegrity?: boolean;
  /**
   * Told of each integrity problem the buffer found and dealt with itself:
   * events the database lost, an event that failed its checksum, an
   * unreadable high-water file. For the log; the buffer goes on.
   */
  onProblem?: (error: GatewayError) => void;
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
/** How long an applied command id is remembered: far longer than any broker redelivers a command. */
const COMMAND_MEMORY_MS = 7 * 24 * 3_600_000;

const PRIORITY_OF_RANK = Object.fromEntries(
  Object.entries(PRIORITY_RANK).map(([priority, rank]) => [rank, priority as Priority]),
) as Record<number, Priority>;

export class Outbox {
  readonly path: string;
  /** Set when the file was corrupt at open and was replaced by a fresh one. */
  readonly recovery: Recovery | undefined;
  /** Set when the high-water file showed seq numbers issued that the database no longer held. */
  readonly lostAtOpen: LostRange | undefined;
  readonly #db: BufferDatabase;
  readonly #sql: Statements;
  readonly #shapeOf: (event: AlarmEvent) => RecordShape;
  readonly #cipher: PayloadCipher;
  readonly #now: () => number;
  readonly #bounds: BufferBounds;
  readonly #bounded: BoundedOptions | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #liveWindowMs: number;
  readonly #onProblem: (error: GatewayError) => void;
  /** Kept while the buffer is guarded (the service), absent for the CLI. */
  readonly #highWater: HighWaterFile | undefined;
  /** A failing note of progress is reported once, not on every commit. */
  #noteFailing = false;
  /** The oldest seq held, as last read; it only moves when events leave the buffer, so it is read again only then. */
  #heldFromCache: number | undefined;
  #lastSeq: number;
  #events = 0;
  #bytes = 0;
  #droppedTotal: number;
  #pendingDrops: DroppedTally | undefined;
  #lastReportAt = Number.NEGATIVE_INFINITY;
  /** Events up to this seq are being sent: evicting them would report a loss that is not one. */
  #leasedUpTo = 0;
  /** The seq range of the live batch being sent: evicting it would report a loss that is not one either. */
  #liveLease: { from: number; to: number } | undefined;
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
    this.#onProblem = options.onProblem ?? (() => {});
    this.#lastSeq = Number(this.#meta(META.lastSeq) ?? 0);
    this.#droppedTotal = Number(this.#meta(META.droppedTotal) ?? 0);
    const pending = this.#meta(META.pendingDrops);
    this.#pendingDrops = pending === undefined ? undefined : (JSON.parse(pending) as DroppedTally);
    if (options.checkIntegrity !== false) {
      try {
        ({ file: this.#highWater, lost: this.lostAtOpen } = this.#resumeSeq(options.synchronous ?? 'full'));
      } catch (error) {
        this.#db.close();
        throw error;
      }
    }
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

  /**
   * Continues seq above every number ever issued, whatever happened to the
   * database file, and records a range the database lost as a drop to report
   * (see high-water.ts). Then takes over the high-water file for this run.
   */
  #resumeSeq(synchronous: Synchronous): { file: HighWaterFile; lost: LostRange | undefined } {
    const read = readHighWater(this.path);
    if ('problem' in read) {
      this.#onProblem(
        new GatewayError(
          'BUFFER_SEQ_FILE',
          `${read.problem}; seq continues after ${this.#lastSeq}, as the database alone says`,
        ),
      );
    }
    const boot = currentBootId();
    const held = this.#lastSeq;
    const resume = resumeSeq({
      databaseLastSeq: held,
      record: 'record' in read ? read.record : undefined,
      boot,
      durableCommits: synchronous === 'full',
    });
    // A corrupt file moved aside may still tell a higher seq than the high-water file (one from an older version).
    const lastSeq = Math.max(resume.lastSeq, this.recovery?.salvagedLastSeq ?? 0);
    const lost = resume.missing;
    if (lastSeq > held) {
      const pending = lost
        ? tallyLostRange(this.#pendingDrops, lost.first, lost.last, this.#now())
        : this.#pendingDrops;
      try {
        this.#db.transaction(() => {
          this.#sql.saveMeta.run(META.lastSeq, String(lastSeq));
          if (pending !== this.#pendingDrops)
            this.#sql.saveMeta.run(META.pendingDrops, JSON.stringify(pending));
        })();
      } catch (cause) {
        throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
      }
      this.#lastSeq = lastSeq;
      this.#pendingDrops = pending;
    }
    if (lost) {
      this.#onProblem(
        new GatewayError(
          'BUFFER_LOST',
          `seq ${lost.first}..${lost.last} were issued, but ${this.path} holds seq only up to ${held}; an events_dropped report (cause lost) tells downstream, and seq continues after ${lastSeq}`,
        ),
      );
    }
    const file = new HighWaterFile(this.path, {
      reserved: lastSeq + SEQ_RESERVATION_BLOCK,
      issued: lastSeq,
      heldFrom: this.#heldFrom(),
      clean: false,
      boot,
    });
    return { file, lost };
  }

  /** The oldest seq the buffer still holds; every older one has left it. */
  #heldFrom(): number {
    this.#heldFromCache ??= (this.#sql.heldFrom.get() as { seq: number | null }).seq ?? this.#lastSeq + 1;
    return this.#heldFromCache;
  }

  /** Notes progress in the high-water file after the database changed (see high-water-file.ts). */
  #noteProgress(): void {
    if (this.#highWater === undefined) return;
    try {
      this.#highWater.note(this.#lastSeq, this.#heldFrom());
      this.#noteFailing = false;
    } catch (error) {
      if (!this.#noteFailing) this.#onProblem(error as GatewayError);
      this.#noteFailing = true;
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
  commit(
    changes: readonly StateChange[],
    drafts: readonly AlarmEventDraft[],
    options: CommitOptions = {},
  ): AlarmEvent[] {
    const { expire = false, commandId } = options;
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
    // Every number this commit may use (its events and a drop report) is reserved durably before it is used.
    try {
      this.#highWater?.reserve(this.#lastSeq + drafts.length + 1);
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
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
      const headers = JSON.stringify(shape.headers);
      const stored = this.#cipher.seal(seq, payload);
      insertEvent.run(
        seq,
        event.event_id,
        shape.key,
        headers,
        stored,
        size,
        now,
        PRIORITY_RANK[event.priority],
        eventChecksum(seq, shape.key, headers, stored),
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
        if (commandId !== undefined) this.#sql.logCommand.run(commandId, now);
        if (whenFull === 'evict_low_priority' && bytes > maxBytes) {
          const evicted = this.#evict(
            (limit) =>
              this.#sql.evictionCandidates.all(
                this.#leasedUpTo,
                this.#liveLease?.from ?? Number.MAX_SAFE_INTEGER,
                this.#liveLease?.to ?? Number.MAX_SAFE_INTEGER,
                limit,
              ),
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
    const issued = seq !== this.#lastSeq;
    if (events - this.#events < committed.length) this.#heldFromCache = undefined;
    this.#lastSeq = seq;
    this.#events = events;
    this.#bytes = bytes;
    this.#pendingDrops = pending;
    this.#droppedTotal = droppedTotal;
    this.#lastReportAt = lastReportAt;
    if (issued) this.#noteProgress();
    if (committed.length > 0) for (const listener of this.#listeners) listener();
    return committed;
  }

  /** True when the operator command with this id was committed before. */
  commandApplied(commandId: string): boolean {
    return this.#sql.commandApplied.get(commandId) !== undefined;
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
    this.#sql.forgetCommands.run(this.#now() - COMMAND_MEMORY_MS);
    reclaimFreePages(this.#db, this.#bytes);
    const { maxAgeMs } = this.#bounds;
    const oldest = this.#sql.oldestUnleased.get(this.#leasedUpTo) as { created_at: number } | undefined;
    const expire =
      maxAgeMs !== undefined && oldest !== undefined && oldest.created_at < this.#now() - maxAgeMs;
    if (!expire && this.#pendingDrops === undefined) return [];
    return this.commit([], [], { expire });
  }

  /** The disk bound from the file system and the file as they are now (see disk-room.ts). */
  #measureDisk(): void {
    const reserveBytes = this.#bounds.diskReserveBytes;
    if (reserveBytes <= 0) return;
    try {
      const fs = statfsSync(dirname(this.path));
      this.#diskCapacity = diskCapacity({
        fileBytes: statSync(this.path, { throwIfNoEntry: false })?.size ?? 0,
        walBytes: statSync(`${this.path}-wal`, { throwIfNoEntry: false })?.size ?? 0,
        freeDiskBytes: fs.bavail * fs.bsize,
        logicalBytes: Number(this.#db.pragma('page_count', { simple: true })) * PAGE_BYTES,
        freePageBytes: Number(this.#db.pragma('freelist_count', { simple: true })) * PAGE_BYTES,
        payloadBytes: this.#bytes,
        reserveBytes,
      });
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
    let read: { batch: StoredEvent[]; setAside: number };
    // A batch that was all damaged events moved aside: more may wait behind them.
    do read = this.#batchOf(this.#sql.oldest.all(maxEvents) as EventRow[], maxBytes);
    while (read.batch.length === 0 && read.setAside > 0);
    this.#leasedUpTo = read.batch.at(-1)?.seq ?? 0;
    return read.batch;
  }

  /**
   * Events committed within the live window whose record key has no older
   * event waiting, oldest first: while a backlog drains, these can go ahead of
   * it without reordering any key.
   */
  peekLive(maxEvents: number, maxBytes: number): StoredEvent[] {
    this.#liveLease = undefined;
    this.#forgetStaleCommits(this.#now());
    const from = this.#recentCommits[0]?.seq;
    if (from === undefined) return [];
    // Fresh events within reach of the next regular batch need no lane of their own.
    const oldest = (this.#sql.oldestSeq.get() as { seq: number } | undefined)?.seq;
    if (oldest === undefined || from < oldest + maxEvents) return [];
    const { batch } = this.#batchOf(this.#sql.live.all(from, maxEvents) as EventRow[], maxBytes);
    const first = batch[0]?.seq;
    const last = batch.at(-1)?.seq;
    if (first !== undefined && last !== undefined) this.#liveLease = { from: first, to: last };
    return batch;
  }

  /** Keeps only the commits of the live window, so the list stays small however long the gateway runs. */
  #forgetStaleCommits(now: number): void {
    const since = now - this.#liveWindowMs;
    while ((this.#recentCommits[0]?.at ?? Number.POSITIVE_INFINITY) < since) this.#recentCommits.shift();
  }

  /**
   * Rows in order up to the byte bound, but always at least one. A row that
   * fails its checksum or cannot be decoded is never sent: it is set aside.
   */
  #batchOf(rows: readonly EventRow[], maxBytes: number): { batch: StoredEvent[]; setAside: number } {
    const batch: StoredEvent[] = [];
    const damaged: { row: EventRow; problem: string }[] = [];
    let bytes = 0;
    for (const row of rows) {
      if (batch.length > 0 && bytes + row.bytes > maxBytes) break;
      const problem = checksumMismatch(row);
      if (problem !== undefined) {
        damaged.push({ row, problem });
        continue;
      }
      try {
        batch.push(storedEvent(row, this.#cipher));
      } catch (error) {
        damaged.push({ row, problem: `seq ${row.seq} cannot be decoded: ${(error as Error).message}` });
        continue;
      }
      bytes += row.bytes;
    }
    return { batch, setAside: damaged.length > 0 ? this.#setAside(damaged) : 0 };
  }

  /**
   * Moves damaged events to the dead-letter table (kept for inspection,
   * never sent) and counts them as dropped, so an events_dropped report with
   * cause `corrupt` tells downstream. Returns how many were moved.
   */
  #setAside(damaged: readonly { row: EventRow; problem: string }[]): number {
    const guarded = this.#highWater !== undefined;
    for (const { problem } of damaged) {
      this.#onProblem(
        new GatewayError('BUFFER_CHECKSUM', guarded ? `${problem}; moved to the dead-letter table` : problem),
      );
    }
    // The CLI reads beside the running service and leaves the moving to it.
    if (!guarded) return 0;
    const now = this.#now();
    const pending = tallyDrops(
      this.#pendingDrops,
      damaged.map(({ row }) => ({ seq: row.seq, priority: PRIORITY_OF_RANK[row.priority_rank] ?? 'medium' })),
      'corrupt',
      now,
    );
    let moved = 0;
    let freed = 0;
    try {
      this.#db.transaction(() => {
        for (const { row, problem } of damaged) {
          this.#sql.toDeadLetter.run(now, `BUFFER_CHECKSUM: ${problem}`, row.seq);
          if (this.#sql.remove.run(row.seq).changes === 0) continue;
          moved += 1;
          freed += row.bytes;
        }
        this.#sql.saveMeta.run(META.pendingDrops, JSON.stringify(pending));
      })();
    } catch (cause) {
      // Left where they are and tried again at the next peek; never sent meanwhile.
      this.#onProblem(new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause }));
      return 0;
    }
    this.#events -= moved;
    this.#bytes -= freed;
    this.#pendingDrops = pending;
    return moved;
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
    if (removed === 0) return;
    this.#heldFromCache = undefined;
    this.#noteProgress();
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
      ...this.#asStoredAsPossible(row),
      failedAt: row.failed_at,
      reason: row.reason,
    }));
  }

  /** A damaged dead letter is listed as it is stored rather than not at all. */
  #asStoredAsPossible(row: EventRow): StoredEvent {
    try {
      return storedEvent(row, this.#cipher);
    } catch {
      return {
        seq: row.seq,
        eventId: row.event_id,
        key: row.record_key,
        headers: {},
        payload: row.payload,
        bytes: row.bytes,
      };
    }
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
    if (!this.#db.open) return;
    const heldFrom = this.#highWater === undefined ? 0 : this.#heldFrom();
    // Closing checkpoints and syncs the database; only then may the high-water file say "clean".
    this.#db.close();
    try {
      this.#highWater?.close(this.#lastSeq, heldFrom);
    } catch (error) {
      // Left unclean: the next start handles it as after a crash.
      this.#onProblem(error as GatewayError);
    }
  }
}
