/**
 * The size limit of a site file. The file is read only up to one byte past
 * the limit, so neither a huge file nor an endless one (a device, a pipe)
 * costs more than the limit in memory.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ConfigIssue } from './issues.ts';
import { MAX_SITE_FILE_BYTES } from './limits.ts';

export interface BoundedRead {
  /** At most MAX_SITE_FILE_BYTES + 1 bytes. */
  bytes: Buffer;
  oversize: boolean;
}

/** Throws what the file system throws (no such file, a directory, no permission). */
export function readBounded(file: string, limit = MAX_SITE_FILE_BYTES): BoundedRead {
  const bytes = Buffer.allocUnsafe(limit + 1);
  const fd = openSync(file, 'r');
  let length = 0;
  try {
    while (length < bytes.length) {
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read === 0) break;
      length += read;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: bytes.subarray(0, length), oversize: length > limit };
}

/** A text given as a string is measured as the UTF-8 file it would be. */
export function textOversize(text: string, limit = MAX_SITE_FILE_BYTES): Buffer | undefined {
  // A UTF-16 unit is at most 3 bytes in UTF-8: short texts need no counting.
  if (text.length * 3 <= limit || Buffer.byteLength(text, 'utf8') <= limit) return undefined;
  return Buffer.from(text, 'utf8');
}

/** Placed where the text passes the limit, which shows how far over it is. */
export function oversizeIssue(bytes: Buffer, file: string, limit = MAX_SITE_FILE_BYTES): ConfigIssue {
  const within = bytes.subarray(0, limit);
  let line = 1;
  let lineStart = 0;
  for (let index = within.indexOf(0x0a); index !== -1; index = within.indexOf(0x0a, index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return {
    file,
    line,
    column: limit - lineStart + 1,
    path: '',
    message: `the site file is larger than ${describeBytes(limit)}, the most a site file may have; it passes the limit here`,
    code: 'CONFIG_LIMIT',
  };
}

function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
