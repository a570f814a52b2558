/**
 * A CRC-32 over everything a buffered event is sent with (seq, record key,
 * headers, stored payload), computed when it is committed and checked before
 * it is sent: bytes changed on disk are caught instead of forwarded. SQLite
 * checks the structure of its pages, not the contents of its rows.
 */
import { crc32 } from 'node:zlib';

export interface ChecksummedRow {
  seq: number;
  record_key: string;
  headers: string;
  payload: string;
  /** Null on rows written before the buffer kept checksums: they are trusted. */
  checksum: number | null;
}

export function eventChecksum(seq: number, recordKey: string, headers: string, payload: string): number {
  // The separators keep a byte moved from one field into the next from giving the same sum.
  return crc32(payload, crc32(`${seq}\n${recordKey}\n${headers}\n`));
}

/** A description of the mismatch, or undefined when the row is as it was committed. */
export function checksumMismatch(row: ChecksummedRow): string | undefined {
  if (row.checksum === null) return undefined;
  const actual = eventChecksum(row.seq, row.record_key, row.headers, row.payload);
  if (actual === row.checksum) return undefined;
  return `seq ${row.seq} does not match its checksum (stored ${hex(row.checksum)}, read ${hex(actual)})`;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
