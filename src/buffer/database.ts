/**
 * Opens the buffer database with the durability settings the outbox relies on
 * and brings its schema to the current version.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../system/errors.ts';

export type Synchronous = 'full' | 'normal';

export type BufferDatabase = Database.Database;

/** SQLite's default page size, which the buffer keeps. */
export const PAGE_BYTES = 4096;

// Each entry upgrades the schema by one version; never edit a released entry, append a new one.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL,
    record_key  TEXT    NOT NULL,
    headers     TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    bytes       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE alarm_state (
    condition_id TEXT PRIMARY KEY,
    state        TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
  ) STRICT;
  `,
  // Eviction order of a full buffer: lowest priority first, oldest first within a priority.
  `
  ALTER TABLE outbox ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 2;
  CREATE INDEX outbox_eviction ON outbox (priority_rank DESC, seq);
  `,
  // Records the broker will never accept wait here, with the reason, instead of blocking the outbox.
  `
  CREATE TABLE dead_letter (
    seq           INTEGER PRIMARY KEY,
    event_id      TEXT    NOT NULL,
    record_key    TEXT    NOT NULL,
    headers       TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    bytes         INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    priority_rank INTEGER NOT NULL,
    failed_at     INTEGER NOT NULL,
    reason        TEXT    NOT NULL
  ) STRICT;
  `,
  // Finds whether an older event of the same record key is still waiting (the live lane).
  `
  CREATE INDEX outbox_key ON outbox (record_key, seq);
  `,
  // Operator commands already applied, so a redelivered command changes nothing.
  `
  CREATE TABLE command_log (
    command_id TEXT    PRIMARY KEY,
    applied_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX command_log_age ON command_log (applied_at);
  `,
  // A CRC-32 of what each event is sent with (checksum.ts); rows from before have none and are trusted.
  `
  ALTER TABLE outbox ADD COLUMN checksum INTEGER;
  ALTER TABLE dead_letter ADD COLUMN checksum INTEGER;
  `,
];

export function openBufferDatabase(path: string, synchronous: Synchronous): BufferDatabase {
  let db: BufferDatabase;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (cause) {
    throw new GatewayError('BUFFER_OPEN', `${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    // Only takes effect on a new, empty database: freed pages can then be given back to the
    // file system after a backlog drained (see Outbox.maintain), instead of keeping the file at its peak.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: an event the gateway reported as buffered survives power loss.
    db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // The WAL is checkpointed every 1000 pages (SQLite's default) and cut back to this size
    // afterwards, so it stays bounded and the disk check can set room aside for it.
    db.pragma('journal_size_limit = 4194304');
    // CLI commands may read while the service writes; wait instead of failing on a brief lock.
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (cause) {
    db.close();
    throw new GatewayError('BUFFER_OPEN', `${path}: ${(cause as Error).message}`, { cause });
  }
}

function migrate(db: BufferDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `schema version ${current} is newer than this gateway understands (${MIGRATIONS.length}); upgrade the gateway`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
