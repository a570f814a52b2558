import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from './harness/fixtures.ts';
import { GatewayProcess } from './harness/gateway-process.ts';

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process = GatewayProcess.start(args);
  const code = await process.exited;
  return { code, stdout: process.logs.map((line) => line.msg).join('\n'), stderr: process.stderr };
}

describe('gateway CLI', () => {
  let temp: ReturnType<typeof tempDir>;
  before(() => {
    temp = tempDir();
  });
  after(() => temp.remove());

  const write = (name: string, text: string) => {
    const file = join(temp.dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('validate accepts the example plant', async () => {
    const result = await cli(['validate', 'devices/plant.yaml']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /devices\/plant\.yaml: valid \(site demo-plant, 3 devices, 11 points\)/);
  });

  test('validate reports a YAML syntax error with file:line:col and exits 1', async () => {
    const file = write('broken.yaml', 'site: a\ngateway:\n  id: gw\n   bad: indentation\n');
    const result = await cli(['validate', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`${file}:3:7 nested mappings are not allowed`));
    assert.match(result.stderr, /1 problem/);
  });

  test('run refuses an invalid site file with every problem, and starts nothing', async () => {
    const stateDir = join(temp.dir, 'state');
    const file = write(
      'invalid.yaml',
      [
        'site: plant',
        'gateway:',
        '  id: gw-1',
        `  state_dir: ${stateDir}`,
        'devices:',
        '  - id: plc',
        '    protocol: modbus-tcp',
        '    host: 127.0.0.1',
        '    area: a',
        '    line: l',
        '    asset: x',
        '    points:',
        '      - id: t',
        '        register: holding',
        '        adress: 3',
        '      - id: t',
        '        register: holding',
        '        address: 70000',
        '',
      ].join('\n'),
    );
    const result = await cli(['run', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`${file}:15:9 devices\\[0\\]\\.points\\[0\\]\\.adress: unknown key "adress"`),
    );
    assert.match(
      result.stderr,
      new RegExp(`${file}:13:\\d+ devices\\[0\\]\\.points\\[0\\]: missing required key "address"`),
    );
    assert.match(
      result.stderr,
      new RegExp(`${file}:18:\\d+ devices\\[0\\]\\.points\\[1\\]\\.address: must be`),
    );
    assert.match(result.stderr, /duplicate point id "t"/);
    assert.match(result.stderr, /not started/);
    assert.equal(existsSync(stateDir), false, 'no buffer was created');
  });

  test('run on a missing file is a read error, not a crash', async () => {
    const result = await cli(['run', '--config', join(temp.dir, 'nope.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nope\.yaml/);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  test('help shows one alarm verb, with the way a command goes as an option', async () => {
    const help = GatewayProcess.start(['help']);
    assert.equal(await help.exited, 0);
    const text = help.lines.join('\n');
    assert.match(
      text,
      /alarm <ack\|shelve\|unshelve\|remove-from-service\|return-to-service\|reset>\n\s+<condition_id \| --scope site\/area\[\/line\[\/asset\]\]> --config <site.yaml>\n\s+\[--via listener\|broker\] \[--actor NAME\] \[--comment TEXT\] \[--for 30m \| --one-shot\]/,
    );
    assert.match(text, /alarm list --config <site.yaml>/);
    assert.doesNotMatch(text, /^\s+alarms /m, 'the plural is only a deprecated spelling');
    assert.doesNotMatch(text, /\[--duration/);
  });

  test('alarm without a site file or an action is a usage error', async () => {
    for (const args of [
      ['alarm', 'ack', 'a/b/c/d/e/f'],
      ['alarm', '--config', 'devices/plant.yaml'],
    ]) {
      const result = await cli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /CLI_USAGE: .*alarm <ack\|shelve\|/);
    }
  });

  test('usage mistakes exit 2 and say what to do', async () => {
    const missing = await cli(['run']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /CLI_USAGE: .*run needs --config/);
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});
