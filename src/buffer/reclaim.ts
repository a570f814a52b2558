/**
 * Gives pages freed by delivered events back to the file system, so the file
 * shrinks after a backlog drained instead of keeping its peak size. A bounded
 * amount per call, so the forwarder never waits long for the write lock.
 */
import { FILE_BYTES_PER_PAYLOAD_BYTE } from './bounds.ts';
import { type BufferDatabase, PAGE_BYTES } from './database.ts';

/** SQLite's auto_vacuum value for INCREMENTAL (set on new buffers in database.ts). */
const INCREMENTAL = 2;
/** Free pages worth giving back (1 MiB), and at most how many per call (2 MiB, so the WAL stays small). */
const RECLAIM_MIN_FREE_PAGES = 256;
const RECLAIM_PAGES_PER_CALL = 512;

export function reclaimFreePages(db: BufferDatabase, payloadBytes: number): void {
  const free = Number(db.pragma('freelist_count', { simple: true }));
  if (free < RECLAIM_MIN_FREE_PAGES) return;
  // Only a file that is mostly empty (a drained backlog): under eviction, freed pages are reused at once.
  const fileBytes = Number(db.pragma('page_count', { simple: true })) * PAGE_BYTES;
  if (payloadBytes * FILE_BYTES_PER_PAYLOAD_BYTE * 2 > fileBytes) return;
  if (Number(db.pragma('auto_vacuum', { simple: true })) !== INCREMENTAL) return;
  db.pragma(`incremental_vacuum(${RECLAIM_PAGES_PER_CALL})`);
  // In WAL mode the file is only cut at a checkpoint; a passive one never waits for readers.
  db.pragma('wal_checkpoint(PASSIVE)');
}
