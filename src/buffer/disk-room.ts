/**
 * How much event payload the buffer may hold on its file system: the file may
 * grow into the free space above the reserve and the WAL's room, and it never
 * has to shrink below what it already holds, because freed pages are reused.
 * Pure, so every case can be tested without filling a disk.
 */
import { FILE_BYTES_PER_PAYLOAD_BYTE, WAL_ALLOWANCE_BYTES } from './bounds.ts';

export interface DiskFigures {
  /** The database file and its WAL on disk. */
  fileBytes: number;
  walBytes: number;
  /** Free space on the file system, as an unprivileged process may use it. */
  freeDiskBytes: number;
  /** The database as SQLite sees it (page count × page size), pages still in the WAL included. */
  logicalBytes: number;
  /** Pages of the database that hold nothing. */
  freePageBytes: number;
  /** Event payload the buffer holds now. */
  payloadBytes: number;
  /** Free space the buffer leaves to everything else. */
  reserveBytes: number;
}

/** Payload from which the file's own overhead ratio is trusted over the default. */
const RATIO_SAMPLE_BYTES = 1_048_576;
/** Share of the file's capacity the buffer keeps when the disk allows no growth (room for fragmentation). */
const IN_PLACE_SHARE = 0.95;

export function diskCapacity(disk: DiskFigures): number {
  // File bytes per payload byte as this file shows it (keys, headers, indexes, encryption), once it says enough.
  const ratio =
    disk.payloadBytes >= RATIO_SAMPLE_BYTES
      ? Math.max((disk.logicalBytes - disk.freePageBytes) / disk.payloadBytes, 1)
      : FILE_BYTES_PER_PAYLOAD_BYTE;
  const growth =
    (disk.fileBytes + disk.walBytes + disk.freeDiskBytes - disk.reserveBytes - WAL_ALLOWANCE_BYTES) / ratio;
  // A disk filled by someone else stops the growth; it does not empty the buffer.
  const inPlace = (disk.logicalBytes / ratio) * IN_PLACE_SHARE;
  return Math.max(inPlace, growth);
}
