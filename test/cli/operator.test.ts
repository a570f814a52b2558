/**
 * `gateway alarm` and `gateway loglevel` against a running gateway process:
 * they reach its listener at the address of the site file, with the token
 * the site file names (so `alarm` goes through the listener by default).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { freePort } from '../../scripts/kafka/net.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = GatewayProcess.start(args);
  const code = await child.exited;
  return { code, stdout: child.lines.join('\n'), stderr: child.stderr };
}

describe('operator commands from the shell', () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: GatewayProcess;
  let siteFile: string;

  before(async () => {
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers: await sharedBrokers(), topic: uniqueTopic('cli') });
    const tokenFile = join(temp.dir, 'operator-token');
    writeFileSync(tokenFile, 'cli-test-token\n', { mode: 0o600 });
    siteFile = join(temp.dir, 'site-listener.yaml');
    const site = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        listener: { port: await freePort(), operator_token: { file: tokenFile } },
      },
    };
    writeFileSync(siteFile, stringify(site));
    gateway = GatewayProcess.run(siteFile);
    await gateway.waitForLog((line) => line.msg.startsWith('listener ready'), 'the listener');
    plant.press.set('oil_temperature', 95);
    await gateway.waitForLog((line) => line.transition === 'raise', 'the alarm raised');
  });

  after(async () => {
    await gateway?.stop();
    await plant?.stopPlant();
    temp?.remove();
  });

  test('alarm list shows the alarm with its priority, level and flags', async () => {
    const { code, stdout } = await cli(['alarm', 'list', '--config', siteFile]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /critical\s+test-site\/forming\/line-1\/press-1\/oil_temperature\/temperature HH {2}active,unacked/,
    );
  });

  test('loglevel shows and sets component levels with the token of the site file', async () => {
    const set = await cli(['loglevel', 'adapter', 'debug', '--config', siteFile]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /adapter\s+debug/);
    await gateway.waitForLog((line) => line.msg === 'log level of adapter set to debug', 'the change logged');
    const shown = await cli(['loglevel', '--config', siteFile]);
    assert.match(shown.stdout, /producer\s+info/);
    const bad = await cli(['loglevel', 'kafka', 'debug', '--config', siteFile]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /component must be one of/);
  });

  test('a wrong token is refused with what to check', async () => {
    const wrong = join(temp.dir, 'wrong-token');
    writeFileSync(wrong, 'nope');
    const { code, stderr } = await cli([
      'loglevel',
      'adapter',
      'info',
      '--config',
      siteFile,
      '--token-file',
      wrong,
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /\[cli\] CLI_GATEWAY: .*401: missing or wrong operator token/);
  });

  test('a gateway that is not running is reported, not a stack trace', async () => {
    const { code, stderr } = await cli([
      'alarm',
      'list',
      '--config',
      siteFile,
      '--url',
      `http://127.0.0.1:${await freePort()}/`,
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /\[cli\] CLI_GATEWAY: the running gateway did not take the request: no answer from/);
  });

  test('alarm acts on the alarm through the listener; a second ack is refused with the reason', async () => {
    const alarm = 'test-site/forming/line-1/press-1/oil_temperature/temperature';
    const ack = await cli([
      'alarm',
      'ack',
      alarm,
      '--config',
      siteFile,
      '--actor',
      'jane',
      '--comment',
      'seen',
    ]);
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, new RegExp(`ack ${alarm}: done \\(ack #\\d+\\)`));
    await gateway.waitForLog(
      (line) => line.transition === 'ack' && line.condition_id === alarm && line.actor === 'jane',
      'the ack event',
    );

    const again = await cli(['alarm', 'ack', alarm, '--config', siteFile]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /refused: the alarm is already acknowledged/);

    const shelve = await cli([
      'alarm',
      'shelve',
      alarm,
      '--for',
      '30m',
      '--config',
      siteFile,
      '--actor',
      'jane',
    ]);
    assert.equal(shelve.code, 0, shelve.stderr);
    const list = await cli(['alarm', 'list', '--config', siteFile]);
    assert.match(list.stdout, /shelved/);
    const unshelve = await cli(['alarm', 'unshelve', alarm, '--config', siteFile]);
    assert.equal(unshelve.code, 0, unshelve.stderr);

    // Every action the alarm stage knows, not only the three the page offers.
    const out = await cli(['alarm', 'remove-from-service', alarm, '--config', siteFile, '--actor', 'maint']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`remove-from-service ${alarm}: done \\(out_of_service #\\d+\\)`));
    const back = await cli(['alarm', 'return-to-service', alarm, '--config', siteFile, '--actor', 'maint']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /: done \(in_service #\d+\)/);
  });

  test('the deprecated alarms and --duration still act, each with its note', async () => {
    const alarm = 'test-site/forming/line-1/press-1/oil_temperature/temperature';
    const shelve = await cli(['alarms', 'shelve', alarm, '--duration', '10m', '--config', siteFile]);
    assert.equal(shelve.code, 0, shelve.stderr);
    assert.match(shelve.stdout, new RegExp(`shelve ${alarm}: done \\(shelve #\\d+\\)`));
    assert.deepEqual(
      shelve.stderr.split('\n').filter((line) => line.startsWith('[cli] deprecated')).length,
      2,
      shelve.stderr,
    );
    const unshelve = await cli(['alarms', 'unshelve', alarm, '--config', siteFile]);
    assert.equal(unshelve.code, 0, unshelve.stderr);
  });

  test('shelve without a duration is a usage error', async () => {
    const { code, stderr } = await cli([
      'alarm',
      'shelve',
      'test-site/forming/line-1/press-1/oil_temperature/temperature',
      '--config',
      siteFile,
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /shelve needs duration_ms \(timed\) or one_shot: true/);
  });
});
