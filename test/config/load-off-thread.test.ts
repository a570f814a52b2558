/**
 * A reload loads the site file in a worker thread: the event loop of the
 * running gateway keeps turning (polls, alarm timers, health answers) while
 * a large broken file is read, parsed and checked, and the worker's time and
 * memory are bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RELOAD_LIMITS } from '../../src/config/limits.ts';
import { formatIssue } from '../../src/config/load.ts';
import { loadSiteFileOffThread } from '../../src/config/load-off-thread.ts';
import { opcuaSite } from './large-site.ts';

const directory = mkdtempSync(join(tmpdir(), 'site-reload-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** About 2.5 MB with a mistake in each of its 9,000 points. */
const broken = join(directory, 'broken.yaml');
writeFileSync(broken, opcuaSite(9_000, { brokenPoints: true }));

/** The longest the event loop went without running a 10 ms interval while `work` ran. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs };
  } finally {
    clearInterval(ticker);
  }
}

describe('loading a site file off the main thread', () => {
  test('the event loop keeps turning while a large broken file is checked', async () => {
    const { result, stallMs } = await longestStall(() => loadSiteFileOffThread(broken));
    assert.ok(!result.ok);
    // A liveness bound, not a benchmark: checking the file on the main thread stalls it for seconds.
    assert.ok(stallMs < 1000, `the event loop stalled for ${Math.round(stallMs)} ms`);
    assert.equal(
      result.issues.length,
      RELOAD_LIMITS.issues,
      'only the first problems cross to the main thread',
    );
    assert.equal(result.omitted, 9_000 - RELOAD_LIMITS.issues);
    const first = result.issues[0];
    assert.ok(first);
    assert.match(formatIssue(first), /broken\.yaml:20:23 devices\[0\]\.points\[0\]\.alarms\[0\]\.deadband: /);
  });

  test('a valid file arrives deep-frozen, as a synchronous load gives it', async () => {
    const result = await loadSiteFileOffThread('devices/plant.yaml');
    assert.ok(result.ok);
    assert.equal(result.site.site, 'demo-plant');
    assert.ok(Object.isFrozen(result.site.devices[0]?.points[0]));
  });

  test('a missing file is a CONFIG_READ issue', async () => {
    const result = await loadSiteFileOffThread(join(directory, 'missing.yaml'));
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => issue.code),
      ['CONFIG_READ'],
    );
  });

  test('a load past its time limit is stopped and refused', async () => {
    const result = await loadSiteFileOffThread(broken, { ...RELOAD_LIMITS, timeMs: 50 });
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map(formatIssue), [
      `${broken}: loading took longer than 0.05 s, the most a reload may take`,
    ]);
    assert.equal(result.issues[0]?.code, 'CONFIG_LIMIT');
  });

  test('a load past its memory limit is stopped and refused', async () => {
    const result = await loadSiteFileOffThread(broken, { ...RELOAD_LIMITS, heapMb: 48 });
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map(formatIssue), [
      `${broken}: loading needed more than 48 MB of memory, the most a reload may use`,
    ]);
    assert.equal(result.issues[0]?.code, 'CONFIG_LIMIT');
  });
});
