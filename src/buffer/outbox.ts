/**
 * The transactional outbox: alarm state and the events it produced are
 * committed together, and an event leaves only when the broker acknowledged it.
 */
import type { AlarmEvent, AlarmEventDraft } from '../alarms/event.ts';
import { GatewayError } from '../system/errors.ts';
import { type BufferDatabase, openBufferDatabase, type Synchronous } from './database.ts';

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
}

export interface OutboxOptions {
  path: string;
  synchronous?: Synchronous;
  /** Key and headers an event is sent with, stored with it so a restart sends exactly the same record. */
  shapeOf: (event: AlarmEvent) => RecordShape;
  now?: () => number;
}

const LAST_SEQ = 'last_seq';

// Prepared once per connection: a statement prepared per call holds native
// memory until the garbage collector finalizes it, which grows the process
// steadily under a high commit rate.
function prepareStatements(db: BufferDatabase) {
  return {
    insertEvent: db.prepare(
      'INSERT INTO outbox (seq, event_id, record_key, headers, payload, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    upsertState: db.prepare(
      `INSERT INTO alarm_state (condition_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (condition_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ),
    saveMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    loadMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    loadStates: db.prepare('SELECT condition_id, state FROM alarm_state'),
    oldest: db.prepare(
      'SELECT seq, event_id, record_key, headers, payload, bytes FROM outbox ORDER BY seq LIMIT ?',
    ),
    remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    stats: db.prepare(
      'SELECT COUNT(*) AS events, COALESCE(SUM(bytes), 0) AS bytes, MIN(seq) AS oldestSeq, MIN(created_at) AS oldestCreatedAt FROM outbox',
    ),
  };
}

export class Outbox {
  readonly path: string;
  readonly #db: BufferDatabase;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #shapeOf: (event: AlarmEvent) => RecordShape;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #lastSeq: number;

  constructor(options: OutboxOptions) {
    this.path = options.path;
    this.#db = openBufferDatabase(options.path, options.synchronous ?? 'full');
    this.#shapeOf = options.shapeOf;
    this.#now = options.now ?? Date.now;
    this.#sql = prepareStatements(this.#db);
    const row = this.#sql.loadMeta.get(LAST_SEQ) as { value: string } | undefined;
    this.#lastSeq = row ? Number(row.value) : 0;
  }

  /**
   * Commits state changes and their events in one transaction and returns the
   * events with their sequence numbers. Either all of it is durable or none.
   */
  commit(changes: readonly StateChange[], drafts: readonly AlarmEventDraft[]): AlarmEvent[] {
    const now = this.#now();
    const { insertEvent, upsertState, saveMeta } = this.#sql;
    let seq = this.#lastSeq;
    const events: AlarmEvent[] = [];
    try {
      this.#db.transaction(() => {
        for (const draft of drafts) {
          seq += 1;
          const event: AlarmEvent = { ...draft, seq };
          const payload = JSON.stringify(event);
          const shape = this.#shapeOf(event);
          const headers = JSON.stringify(shape.headers);
          insertEvent.run(seq, event.event_id, shape.key, headers, payload, Buffer.byteLength(payload), now);
          events.push(event);
        }
        for (const change of changes) {
          upsertState.run(change.conditionId, JSON.stringify(change.state), now);
        }
        if (seq !== this.#lastSeq) saveMeta.run(LAST_SEQ, String(seq));
      })();
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
    this.#lastSeq = seq;
    if (events.length > 0) for (const listener of this.#listeners) listener();
    return events;
  }

  /** Persisted alarm states by condition id, to resume exactly where the last run stopped. */
  loadStates(): Map<string, unknown> {
    const rows = this.#sql.loadStates.all() as {
      condition_id: string;
      state: string;
    }[];
    return new Map(rows.map((row) => [row.condition_id, JSON.parse(row.state) as unknown]));
  }

  /** The oldest events, in sequence order, within both bounds (at least one event if any is waiting). */
  peek(maxEvents: number, maxBytes: number): StoredEvent[] {
    const rows = this.#sql.oldest.all(maxEvents) as {
      seq: number;
      event_id: string;
      record_key: string;
      headers: string;
      payload: string;
      bytes: number;
    }[];
    const batch: StoredEvent[] = [];
    let bytes = 0;
    for (const row of rows) {
      if (batch.length > 0 && bytes + row.bytes > maxBytes) break;
      bytes += row.bytes;
      batch.push({
        seq: row.seq,
        eventId: row.event_id,
        key: row.record_key,
        headers: JSON.parse(row.headers) as Record<string, string>,
        payload: row.payload,
        bytes: row.bytes,
      });
    }
    return batch;
  }

  /** Removes events the broker acknowledged. */
  remove(events: readonly StoredEvent[]): void {
    const del = this.#sql.remove;
    try {
      this.#db.transaction(() => {
        for (const event of events) del.run(event.seq);
      })();
    } catch (cause) {
      throw new GatewayError('BUFFER_WRITE', (cause as Error).message, { cause });
    }
  }

  stats(): OutboxStats {
    const row = this.#sql.stats.get() as {
      events: number;
      bytes: number;
      oldestSeq: number | null;
      oldestCreatedAt: number | null;
    };
    return { ...row, lastSeq: this.#lastSeq };
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
