/**
 * The short version of `npm run chaos`: a few rounds of random kill -9,
 * broker restarts and PLC drop-outs; nothing committed may be lost.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChaos, summaryTable, violations } from '../../scripts/chaos/run.ts';
import { tempDir } from '../harness/fixtures.ts';

test('random faults lose no committed event, keep per-key order, and the buffer drains', async () => {
  const temp = tempDir('gateway-chaos-');
  try {
    const report = await runChaos({
      rounds: 5,
      roundMs: 1500,
      devices: 2,
      pointsPerDevice: 20,
      seed: 1,
      dir: temp.dir,
      log: () => {},
    });
    assert.deepEqual(violations(report), [], summaryTable(report));
    assert.ok(report.committed > 50, `a lively plant: ${report.committed} events`);
    assert.equal(report.lost.length, 0);
  } finally {
    temp.remove();
  }
});
