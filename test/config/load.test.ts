import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatIssue, loadSiteFile, parseSiteText } from '../../src/config/load.ts';
import { GatewaySettings, ModbusPoint } from '../../src/config/schema.ts';
import { FILE, problems, yaml } from './helpers.ts';

describe('loadSiteFile', () => {
  test('the example plant validates without issues', () => {
    const result = loadSiteFile('devices/plant.yaml');
    assert.deepEqual(result.ok ? [] : result.issues.map(formatIssue), []);
    assert.ok(result.ok);
    assert.equal(result.file, 'devices/plant.yaml');
    assert.equal(result.site.site, 'demo-plant');
    assert.deepEqual(
      result.site.devices.map((device) => device.id),
      ['boiler-plc', 'feedwater-ua', 'compressor-plc'],
    );
  });

  test('the loaded site is frozen all the way down', () => {
    const result = loadSiteFile('devices/plant.yaml');
    assert.ok(result.ok);
    const point = result.site.devices[0]?.points[0];
    assert.ok(point);
    assert.ok(Object.isFrozen(result.site));
    assert.ok(Object.isFrozen(result.site.devices));
    assert.ok(Object.isFrozen(point.alarms?.[0]));
    assert.throws(() => {
      (point as { address: number }).address = 7;
    }, TypeError);
  });

  test('a missing file is a CONFIG_READ issue, not an exception', () => {
    const result = loadSiteFile('devices/does-not-exist.yaml');
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => [issue.code, formatIssue(issue)]),
      [['CONFIG_READ', 'devices/does-not-exist.yaml: cannot read the site file: no such file']],
    );
  });

  test('a directory is a CONFIG_READ issue', () => {
    const result = loadSiteFile('devices');
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map(formatIssue), [
      'devices: cannot read the site file: it is a directory',
    ]);
  });

  test('issues name the file as it was given', () => {
    const directory = mkdtempSync(join(tmpdir(), 'site-'));
    try {
      const file = join(directory, 'broken.yaml');
      writeFileSync(file, 'site: demo\ngateway:\n  id: gw-1\n');
      const result = loadSiteFile(file);
      assert.ok(!result.ok);
      assert.deepEqual(result.issues.map(formatIssue), [`${file}:1:1 missing required key "devices"`]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('parseSiteText', () => {
  test('an empty file needs a mapping at the top', () => {
    assert.deepEqual(problems(''), ['site.yaml:1:1 has no value (expected a mapping)']);
  });

  test('a file with several mistakes reports all of them in line order', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
        colour: blue
      devices:
        - id: plc-1
          protocol: modbus-tcp
          host: 10.0.0.1
          port: 0
          area: utilities
          line: steam
          asset: boiler-1
          points:
            - id: level
              register: holding
              address: 0
              type: bool
            - id: level
              register: input
              adress: 3
        - id: plc-1
          protocol: modbus-tcp
          host: 10.0.0.2
          area: utilities
          line: steam
          asset: boiler-2
          points:
            - id: pressure
              register: coil
              address: 0
              alarms:
                - id: high
                  kind: limit
                  H: { value: 10 }
    `;
    const result = parseSiteText(text, FILE);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map(formatIssue), [
      `site.yaml:4:3 gateway.colour: unknown key "colour" (allowed: ${keysOf(GatewaySettings)})`,
      'site.yaml:9:11 devices[0].port: must be an integer >= 1 and <= 65535',
      'site.yaml:17:15 devices[0].points[0].type: bool is only for coil and discrete registers; for one bit of a holding register use type bit with a "bit" index',
      'site.yaml:18:9 devices[0].points[1]: missing required key "address"',
      'site.yaml:18:13 devices[0].points[1].id: duplicate point id "level" (first defined at line 14)',
      `site.yaml:20:9 devices[0].points[1].adress: unknown key "adress" (allowed: ${keysOf(ModbusPoint)})`,
      'site.yaml:21:9 devices[1].id: duplicate device id "plc-1" (first defined at line 6)',
      'site.yaml:33:19 devices[1].points[0].alarms[0].kind: a limit rule needs a numeric point, and this point is bool; use kind discrete',
    ]);
    assert.deepEqual(
      result.issues.map((issue) => issue.code),
      [
        'CONFIG_SCHEMA',
        'CONFIG_SCHEMA',
        'CONFIG_SCHEMA',
        'CONFIG_SCHEMA',
        'CONFIG_REFERENCE',
        'CONFIG_SCHEMA',
        'CONFIG_REFERENCE',
        'CONFIG_SCHEMA',
      ],
    );
  });

  test('issues carry their parts separately', () => {
    const result = parseSiteText('site: demo\ngateway:\n  id: gw-1\ndevices: []\n', FILE);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [
      {
        file: FILE,
        line: 4,
        column: 10,
        path: 'devices',
        message: 'must list at least one entry',
        code: 'CONFIG_SCHEMA',
      },
    ]);
  });
});

describe('robustness', () => {
  test('never throws on a mangled example plant, and always says where', () => {
    const lines = readFileSync('devices/plant.yaml', 'utf8').split('\n');
    const edits: ((line: string) => string | undefined)[] = [
      () => undefined,
      (line) => ` ${line}`,
      (line) => line.replace(/: .*/, ':'),
      (line) => line.replace(/: .*/, ': "open'),
      (line) => line.replace(/: .*/, ': [1, { a: null }]'),
    ];
    let checked = 0;
    lines.forEach((line, index) => {
      for (const edit of edits) {
        const edited = edit(line);
        const text = [
          ...lines.slice(0, index),
          ...(edited === undefined ? [] : [edited]),
          ...lines.slice(index + 1),
        ];
        const result = parseSiteText(text.join('\n'), FILE);
        for (const issue of result.ok ? [] : result.issues) {
          assert.ok(issue.line >= 1 && issue.column >= 1, formatIssue(issue));
        }
        checked += 1;
      }
    });
    assert.equal(checked, lines.length * edits.length);
  });

  test('odd documents are issues, not exceptions', () => {
    assert.deepEqual(problems('- a\n- b\n'), ['site.yaml:1:1 must be a mapping']);
    assert.deepEqual(problems('? [a]\n: 1\n'), [
      'site.yaml:1:3 a key must be a plain name, not a list or a mapping',
    ]);
    assert.deepEqual(problems('devices: *nowhere\n'), [
      'site.yaml:1:10 unresolved alias *nowhere: no anchor &nowhere is set before it',
    ]);
  });
});

describe('formatIssue', () => {
  test('file:line:col path: message', () => {
    const issue = {
      file: 'devices/plant.yaml',
      line: 12,
      column: 7,
      path: 'devices[0].points[2].address',
      message: 'must be an integer >= 0 and <= 65535',
      code: 'CONFIG_SCHEMA',
    } as const;
    assert.equal(
      formatIssue(issue),
      'devices/plant.yaml:12:7 devices[0].points[2].address: must be an integer >= 0 and <= 65535',
    );
  });

  test('leaves out an empty path and a missing position', () => {
    const base = { file: 'a.yaml', path: '', message: 'boom', code: 'CONFIG_YAML' } as const;
    assert.equal(formatIssue({ ...base, line: 3, column: 1 }), 'a.yaml:3:1 boom');
    assert.equal(formatIssue({ ...base, line: 0, column: 0 }), 'a.yaml: boom');
  });
});

/** The allowed keys as the unknown-key message lists them; read from the schema so new optional keys do not break tests. */
function keysOf(schema: { properties: object }): string {
  return Object.keys(schema.properties).join(', ');
}
