/**
 * scripts/install.sh against a scratch root: a first install, an upgrade that
 * keeps the buffer and an edited site file, and uninstalls with and without
 * --purge. The machine's own /etc, /opt and /var are never touched.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './harness/fixtures.ts';
import { requiredTool } from './harness/required-tool.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const INSTALL = join(REPO, 'scripts/install.sh');
const isRoot = process.getuid?.() === 0;

function run(command: string, args: string[], cwd = REPO): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** /etc/passwd and friends with root and dialout only, so useradd --prefix has files to edit. */
function seedUsers(root: string): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\ndialout:x:20:\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
  writeFileSync(join(root, 'etc/gshadow'), 'root:*::\ndialout:*::\n', { mode: 0o600 });
}

/** The same release under another version number, as the next release would be. */
function repackAs(tarball: string, version: string, dir: string): string {
  const work = join(dir, `repack-${version}`);
  mkdirSync(work);
  run('tar', ['-xzf', tarball, '-C', work]);
  const manifest = join(work, 'package/package.json');
  writeFileSync(
    manifest,
    JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version }, null, 2),
  );
  const out = join(dir, `edge-alarm-gateway-${version}.tgz`);
  run('tar', ['-czf', out, '-C', work, 'package']);
  return out;
}

describe('scripts/install.sh in a scratch root', {
  skip: requiredTool(!isRoot && 'root (it creates a user and sets owners)'),
}, () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;
  let release: string;
  const prefix = '/opt/edge-alarm-gateway';
  const at = (path: string) => join(root, path);
  const install = (...args: string[]) =>
    run('bash', [INSTALL, '--root', root, '--node', process.execPath, ...args]);

  before(() => {
    temp = tempDir();
    root = join(temp.dir, 'root');
    seedUsers(root);
    // scripts/test.sh builds before the tests; a test run on its own builds here.
    if (!existsSync(join(REPO, 'dist/cli.js'))) run('npm', ['run', '--silent', 'build']);
    const packed = run('npm', ['pack', '--silent', '--pack-destination', temp.dir])
      .trim()
      .split('\n')
      .at(-1) as string;
    release = join(temp.dir, packed);
  });

  after(() => temp.remove());

  test('install: release, Node.js, user, unit, example config, enabled service', () => {
    // An operator with only the tarball finds the installer in it.
    assert.ok(run('tar', ['-tzf', release]).split('\n').includes('package/scripts/install.sh'));
    install(release);
    assert.match(
      readFileSync(at('/etc/passwd'), 'utf8'),
      /^edge-alarm-gateway:x:\d+:\d+:.*:\/usr\/sbin\/nologin$/m,
    );
    assert.match(readFileSync(at('/etc/group'), 'utf8'), /^dialout:x:20:edge-alarm-gateway$/m);
    assert.equal(readlinkSync(at(`${prefix}/current`)), 'releases/0.1.0/lib/node_modules/edge-alarm-gateway');
    const unit = readFileSync(at('/etc/systemd/system/edge-alarm-gateway.service'), 'utf8');
    assert.match(
      unit,
      /^ExecStart=\/opt\/edge-alarm-gateway\/bin\/node (--\S+ )*\/opt\/edge-alarm-gateway\/current\/dist\/cli\.js run/m,
    );
    if (existsSync('/usr/bin/systemctl')) {
      assert.ok(
        lstatSync(
          at('/etc/systemd/system/multi-user.target.wants/edge-alarm-gateway.service'),
        ).isSymbolicLink(),
      );
    }
    assert.equal(statSync(at('/etc/edge-alarm-gateway/credentials')).mode & 0o777, 0o700);
    assert.equal(statSync(at('/var/lib/edge-alarm-gateway')).mode & 0o777, 0o750);
    // The installed release runs with its bundled Node.js and its own dependencies.
    const checked = run(at(`${prefix}/bin/node`), [
      at(`${prefix}/current/dist/cli.js`),
      'validate',
      at('/etc/edge-alarm-gateway/site.yaml'),
    ]);
    assert.match(checked, /valid \(site demo-plant/);
    assert.throws(() => install(release), /exists: use --upgrade/);
  });

  test('upgrade: the new release is current; buffer and edited site file stay as they were', () => {
    const buffer = at('/var/lib/edge-alarm-gateway/buffer.db');
    writeFileSync(buffer, 'events waiting for the broker');
    appendFileSync(at('/etc/edge-alarm-gateway/site.yaml'), '# edited on site\n');
    const edited = readFileSync(at('/etc/edge-alarm-gateway/site.yaml'), 'utf8');

    install('--upgrade', repackAs(release, '0.1.1', temp.dir));
    assert.equal(readlinkSync(at(`${prefix}/current`)), 'releases/0.1.1/lib/node_modules/edge-alarm-gateway');
    assert.ok(existsSync(at(`${prefix}/releases/0.1.0`)), 'the previous release stays for a way back');
    assert.equal(readFileSync(buffer, 'utf8'), 'events waiting for the broker');
    assert.equal(readFileSync(at('/etc/edge-alarm-gateway/site.yaml'), 'utf8'), edited);

    install('--upgrade', repackAs(release, '0.1.2', temp.dir));
    assert.deepEqual(
      run('ls', [at(`${prefix}/releases`)])
        .trim()
        .split('\n'),
      ['0.1.1', '0.1.2'],
      'releases older than the previous one are removed',
    );
  });

  test('uninstall keeps configuration and buffer; --purge removes them and the user', () => {
    install('--uninstall');
    assert.ok(!existsSync(at(prefix)));
    assert.ok(!existsSync(at('/etc/systemd/system/edge-alarm-gateway.service')));
    assert.ok(!existsSync(at('/etc/systemd/system/multi-user.target.wants/edge-alarm-gateway.service')));
    assert.equal(
      readFileSync(at('/var/lib/edge-alarm-gateway/buffer.db'), 'utf8'),
      'events waiting for the broker',
    );
    assert.ok(existsSync(at('/etc/edge-alarm-gateway/site.yaml')));

    install('--uninstall', '--purge');
    assert.ok(!existsSync(at('/var/lib/edge-alarm-gateway')));
    assert.ok(!existsSync(at('/etc/edge-alarm-gateway')));
    assert.doesNotMatch(readFileSync(at('/etc/passwd'), 'utf8'), /edge-alarm-gateway/);
    assert.doesNotMatch(readFileSync(at('/etc/group'), 'utf8'), /edge-alarm-gateway/);
  });
});
