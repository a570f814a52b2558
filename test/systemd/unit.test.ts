/**
 * The service unit as systemd reads it: `systemd-analyze verify` finds no
 * error. The only change made for the check is the path of Node.js, which
 * verify requires to exist and which the installer puts under /opt.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../harness/fixtures.ts';
import { requiredTool } from '../harness/required-tool.ts';

const UNIT = new URL('../../systemd/edge-alarm-gateway.service', import.meta.url);
const ANALYZE = '/usr/bin/systemd-analyze';

test('systemd-analyze verify accepts the unit', {
  skip: requiredTool(!existsSync(ANALYZE) && 'systemd-analyze (Debian package systemd)'),
}, () => {
  const temp = tempDir();
  try {
    const unit = readFileSync(UNIT, 'utf8');
    assert.match(unit, /^ExecStart=\/opt\/edge-alarm-gateway\/bin\/node /m);
    const file = join(temp.dir, 'edge-alarm-gateway.service');
    writeFileSync(file, unit.replace('/opt/edge-alarm-gateway/bin/node', process.execPath));
    const result = spawnSync(ANALYZE, ['verify', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr.trim(), '', 'no warning either');
  } finally {
    temp.remove();
  }
});

test('the unit keeps what the gateway relies on', () => {
  const unit = readFileSync(UNIT, 'utf8');
  for (const setting of [
    'Type=notify',
    'NotifyAccess=all',
    'KillMode=mixed',
    'Restart=on-failure',
    'SupplementaryGroups=dialout',
    'StateDirectory=edge-alarm-gateway',
    'ConfigurationDirectory=edge-alarm-gateway',
  ]) {
    assert.match(unit, new RegExp(`^${setting}$`, 'm'), setting);
  }
  assert.match(unit, /^WatchdogSec=\d+s$/m);
  assert.match(unit, /^LoadCredential=/m);
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=yes/m, 'V8 needs writable and executable memory');
});
