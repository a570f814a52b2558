/**
 * The buffer on a small file system of fixed size (a size-limited tmpfs):
 * growing into a full disk applies the full-buffer policy instead of failing,
 * a disk filled by someone else costs no crash and no corruption, and the
 * gateway recovers by itself when space returns.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { droppedEventsDraft } from '../../src/alarms/system-event.ts';
import { HighWaterFile, readHighWater } from '../../src/buffer/high-water-file.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { recordShape } from '../../src/producer/record.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { consumeAll, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const DISK = 32 * 1024 * 1024;
const RESERVE = 2 * 1024 * 1024;

/** Mounts a tmpfs of fixed size; undefined where this machine does not allow mounting (not root). */
function mountSmallDisk(dir: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Fills the disk except `leave` bytes, as another process on the gateway might. */
function hog(dir: string, leave: number): string {
  const fs = statfsSync(dir);
  const file = join(dir, 'hog');
  writeFileSync(file, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - leave)));
  return file;
}

function integrity(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check).join('; ');
  } finally {
    db.close();
  }
}

describe('disk full', () => {
  const temp = tempDir();
  const disk = join(temp.dir, 'disk');
  const mounted = mountSmallDisk(disk);
  const skip = mounted === disk ? false : mounted;

  after(() => {
    if (!skip) execFileSync('umount', ['--lazy', disk]);
    temp.remove();
  });

  test('growing into a full disk applies the full-buffer policy; a disk filled by others costs no crash and no corruption', {
    skip,
  }, () => {
    const path = join(disk, 'outbox.db');
    let reports = 0;
    const outbox = new Outbox({
      path,
      shapeOf: recordShape,
      bounded: {
        bounds: {
          maxBytes: 1e12,
          maxAgeMs: undefined,
          whenFull: 'evict_low_priority',
          diskReserveBytes: RESERVE,
        },
        report: (tally, now) =>
          droppedEventsDraft(
            { gatewayId: 'gw', site: 's' },
            tally,
            'evict_low_priority',
            now,
            () => `r-${++reports}`,
          ),
        reportIntervalMs: 0,
      },
    });
    const causes = new Set<string>();
    // Twice what the disk holds, committed as the evaluator does, with the gateway's once-a-second maintenance.
    for (let i = 0; i < 2 * (DISK / 800 / 10); i++) {
      const committed = outbox.commit(
        [],
        Array.from({ length: 10 }, () => draft({ priority: i % 5 === 0 ? 'critical' : 'low' })),
      );
      for (const event of committed)
        for (const cause of Object.keys(event.reason.dropped?.by_cause ?? {})) causes.add(cause);
      if (i % 20 === 0) outbox.maintain();
    }
    assert.ok(outbox.stats().dropped > 0, 'the policy applied');
    assert.deepEqual([...causes], ['disk'], 'and says the disk was the reason');
    assert.ok(statfsSync(disk).bavail * statfsSync(disk).bsize > RESERVE / 4, 'the disk never filled up');

    // Someone else fills the disk to the last byte: the buffer keeps evicting
    // into the space it already has; a commit that still finds no room fails cleanly.
    const file = hog(disk, 0);
    let refused = 0;
    let committed = 0;
    for (let i = 0; i < 500; i++) {
      try {
        committed += outbox.commit(
          [],
          Array.from({ length: 10 }, () => draft()),
        ).length;
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'BUFFER_WRITE', String(error));
        refused += 1;
      }
      if (i % 20 === 0) outbox.maintain();
    }
    assert.ok(committed > 0, `${committed} events committed, ${refused} commits refused on a full disk`);
    rmSync(file);
    outbox.maintain();
    assert.equal(
      outbox.commit([], [draft()]).filter((event) => event.kind !== 'system').length,
      1,
      'commits go on when space returns',
    );
    outbox.close();
    assert.equal(integrity(path), 'ok');
  });

  test('on a disk too full for a temp file, the high-water file is rewritten in place and synced', {
    skip,
  }, () => {
    const path = join(disk, 'high-water', 'buffer.db');
    mkdirSync(join(disk, 'high-water'));
    const highWater = new HighWaterFile(path, {
      reserved: 1000,
      issued: 0,
      heldFrom: 1,
      clean: false,
      boot: undefined,
    });
    const file = hog(disk, 0);
    try {
      highWater.reserve(1001);
      assert.deepEqual(readHighWater(path), {
        record: { reserved: 2001, issued: 0, heldFrom: 1, clean: false, boot: undefined },
      });
      highWater.close(1001, 1);
    } finally {
      rmSync(file);
    }
    assert.equal((readHighWater(path) as { record: { clean: boolean } }).record.clean, true);
  });

  test('the gateway rides out a full disk and delivers the transitions once space returns', {
    skip,
  }, async () => {
    const brokers = await sharedBrokers();
    const topic = uniqueTopic('alarms-disk');
    const work = tempDir();
    const plant = await startTestSite({ dir: work.dir, brokers, topic });
    const site: SiteFile = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        state_dir: join(disk, 'gateway'),
        buffer: { disk_reserve_bytes: RESERVE },
      },
    };
    let gateway: Gateway | undefined;
    try {
      gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
      const running = gateway;
      plant.press.set('oil_temperature', 85);
      await until(() => running.status().producer.delivered === 1, 'the first event delivered', 30_000);
      const file = hog(disk, 0);
      plant.press.set('oil_temperature', 95);
      plant.pump.set('flow', 3);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      rmSync(file);
      // Space is back: what could not be committed is decided again from the readings.
      await until(
        () => running.status().buffer.lastSeq >= 3,
        'the transitions of the full-disk period committed',
        30_000,
      );
      plant.press.set('oil_temperature', 60);
      plant.pump.set('flow', 20);
      await until(
        () => running.status().buffer.events === 0 && running.status().buffer.lastSeq >= 5,
        'the clears delivered',
        30_000,
      );
      const { lastSeq, dropped } = running.status().buffer;
      const records = await consumeAll(brokers, topic, {
        expected: running.status().producer.delivered,
        settleMs: 300,
      });
      const events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
      const reported = events.reduce((sum, event) => sum + (event.reason.dropped?.count ?? 0), 0);
      const arrived = new Set(events.map((event) => event.seq));
      const missing = Array.from({ length: lastSeq }, (_, i) => i + 1).filter((seq) => !arrived.has(seq));
      assert.equal(missing.length, dropped, `every missing seq (${missing}) is a counted drop`);
      assert.equal(reported, dropped, 'and was reported downstream');
      const clears = events.filter((event) => event.transition === 'clear').map((event) => event.point);
      assert.deepEqual(
        clears.sort(),
        ['flow', 'oil_temperature'],
        'transitions after the recovery all arrived',
      );
    } finally {
      await gateway?.stop();
      await plant.stopPlant();
      work.remove();
    }
  });
});
