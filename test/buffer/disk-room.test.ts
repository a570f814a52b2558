import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WAL_ALLOWANCE_BYTES } from '../../src/buffer/bounds.ts';
import { diskCapacity } from '../../src/buffer/disk-room.ts';

const MiB = 1024 * 1024;
const base = {
  fileBytes: 100 * MiB,
  walBytes: 4 * MiB,
  freeDiskBytes: 500 * MiB,
  logicalBytes: 100 * MiB,
  freePageBytes: 0,
  payloadBytes: 50 * MiB,
  reserveBytes: 64 * MiB,
};

test('room to grow: file, WAL and free space, less the reserve and the WAL allowance, over the file own overhead', () => {
  // The file holds 50 MiB of payload in 100 MiB: 2 bytes per payload byte.
  const expected = (100 * MiB + 4 * MiB + 500 * MiB - 64 * MiB - WAL_ALLOWANCE_BYTES) / 2;
  assert.equal(diskCapacity(base), expected);
});

test('a disk full to the last byte stops the growth but does not empty the buffer', () => {
  const capacity = diskCapacity({ ...base, freeDiskBytes: 0 });
  assert.ok(capacity < base.payloadBytes, 'a little is evicted, so freed pages take the new events');
  assert.ok(capacity >= base.payloadBytes * 0.9, `most stays: ${capacity / MiB} MiB`);
});

test('free pages in the file count as room that needs no disk', () => {
  const full = { ...base, freeDiskBytes: 0 };
  const withFreePages = { ...full, freePageBytes: 40 * MiB, payloadBytes: 30 * MiB };
  assert.ok(diskCapacity(withFreePages) > withFreePages.payloadBytes);
});

test('a nearly empty buffer uses the default overhead, not a ratio from too little data', () => {
  const tiny = {
    ...base,
    fileBytes: 64 * 1024,
    logicalBytes: 64 * 1024,
    payloadBytes: 1000,
    freeDiskBytes: 0,
  };
  assert.ok(diskCapacity(tiny) > 1000 * 10, 'a few KiB of events still fit in the file as it is');
});
