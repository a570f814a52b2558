/**
 * Where `seq` resumes at start, from what the database says and what the
 * high-water file beside it says (see high-water-file.ts). The file survives
 * losses the database does not notice itself: a replaced or emptied file, a
 * WAL lost or cut short after a crash. A number once issued is never issued
 * again, and numbers the database lost are reported as a range.
 */

export interface HighWaterRecord {
  /** Every seq ever issued is at most this; written durably before any of them is used. */
  reserved: number;
  /** The last seq committed, as of the last commit the process noted (see HighWaterFile.note). */
  issued: number;
  /** The oldest seq the buffer still held (waiting or dead-lettered); all older ones had left it. */
  heldFrom: number;
  /** Written by a clean close: then `issued` is exact and `reserved` equals it. */
  clean: boolean;
  /** The Linux boot id when it was written: unchanged means only the process died, not the machine. */
  boot: string | undefined;
}

export interface SeqResumeInput {
  /** The last seq the database says it issued. */
  databaseLastSeq: number;
  record: HighWaterRecord | undefined;
  /** The boot id now; undefined where the system does not tell. */
  boot: string | undefined;
  /** synchronous=FULL: every commit reached the disk before it counted. */
  durableCommits: boolean;
}

export interface SeqResume {
  /** The last seq to count as issued: the next event gets the one after it. */
  lastSeq: number;
  /** Numbers issued that the database no longer knows: events among them not yet delivered are lost. */
  missing?: { first: number; last: number };
}

export function resumeSeq(input: SeqResumeInput): SeqResume {
  const { databaseLastSeq: known, record } = input;
  // No file: a buffer from before the file existed, or one that never committed.
  if (record === undefined) return { lastSeq: known };
  let issuedUpTo: number;
  if (record.clean || (record.boot !== undefined && record.boot === input.boot)) {
    // A clean close wrote `issued` durably; after a process crash the page cache still held the last note.
    issuedUpTo = record.issued;
  } else if (input.durableCommits && known >= record.issued) {
    // The machine went down: the last note may be lost, but every commit was synced, and nothing points to a loss.
    return { lastSeq: known };
  } else {
    // The machine went down with commits not yet synced, or the database is behind even the durable note:
    // anything up to the reservation may have been issued.
    issuedUpTo = Math.max(record.reserved, record.issued);
  }
  if (known >= issuedUpTo) return { lastSeq: known };
  // Events older than heldFrom had left the buffer (delivered, or dropped and reported) before the loss.
  const first = Math.max(known + 1, record.heldFrom);
  return first <= issuedUpTo
    ? { lastSeq: issuedUpTo, missing: { first, last: issuedUpTo } }
    : { lastSeq: issuedUpTo };
}
