import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkClock,
  checkDiskSpace,
  checkNotifySender,
  checkStateDir,
} from '../../src/system/host-checks.ts';
import { tempDir } from '../harness/fixtures.ts';

const DAY = 86_400_000;

test('a clock before the release was built fails; a day of leeway for time zones of builds', () => {
  const built = Date.UTC(2026, 5, 1);
  const [behind] = checkClock(built - 2 * DAY, built);
  assert.equal(behind?.status, 'fail');
  assert.match(behind?.fix ?? '', /set the clock/);
  assert.equal(checkClock(built - DAY / 2, built)[0]?.status, 'ok');
  assert.equal(checkClock(built + 300 * DAY, built)[0]?.status, 'ok');
});

test('disk space: below the reserve fails, below a full buffer warns, otherwise ok', () => {
  const temp = tempDir();
  try {
    const buffer = join(temp.dir, 'state', 'buffer.db');
    assert.equal(checkDiskSpace(buffer, 1024 ** 2, 0).status, 'ok');
    assert.equal(checkDiskSpace(buffer, 1024 ** 5, 0).status, 'warn');
    const full = checkDiskSpace(buffer, 1024 ** 2, 1024 ** 5);
    assert.equal(full.status, 'fail');
    assert.match(full.detail, /free on .*gateway-test-/);
  } finally {
    temp.remove();
  }
});

test('a state directory that is a file fails with what to do', () => {
  const temp = tempDir();
  try {
    const state = join(temp.dir, 'state');
    writeFileSync(state, 'not a directory');
    const [check] = checkStateDir(state, join(state, 'buffer.db'), 1000);
    assert.equal(check?.status, 'fail');
    assert.match(check?.fix ?? '', /service user must own the state directory/);
    const fine = checkStateDir(join(temp.dir, 'new-state'), join(temp.dir, 'new-state', 'buffer.db'), 1000);
    assert.deepEqual(
      fine.map((c) => c.status),
      ['ok'],
    );
    assert.deepEqual(
      checkStateDir(temp.dir, join(temp.dir, 'buffer.db'), 0).map((c) => `${c.status} ${c.subject}`),
      ['ok state directory', 'warn permissions'],
    );
  } finally {
    temp.remove();
  }
});

test('the systemd notification sender is at hand (perl with Socket)', () => {
  assert.deepEqual(checkNotifySender(), {
    status: 'ok',
    subject: 'systemd notifications',
    detail: 'perl can send them',
  });
});
