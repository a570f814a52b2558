import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSiteText } from '../../src/config/load.ts';
import { FILE, problems, yaml } from './helpers.ts';

describe('YAML syntax', () => {
  test('a key indented one column too far', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          protocol: modbus-tcp
           host: 10.0.0.1
    `;
    // yaml reads "modbus-tcp host" as one value that runs into a key; it reports where that value starts.
    assert.deepEqual(problems(text), [
      'site.yaml:6:15 nested mappings are not allowed in compact mappings (check the indentation of the lines below and for a missing ":")',
    ]);
  });

  test('a key indented less than its siblings', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
       state_dir: ./var
    `;
    assert.deepEqual(problems(text), ['site.yaml:4:1 all mapping items must start at the same column']);
  });

  test('a list item indented less than its siblings', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
        kafka:
          brokers:
            - a:9092
           - b:9092
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:7:1 a block sequence may not be used as an implicit map key (check the indentation of the lines below and for a missing ":")',
    ]);
  });

  test('an unclosed quote is reported where it opens', () => {
    const text = yaml`
      site: demo
      gateway:
        id: "gw-1
      devices:
        - id: plc-1
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:3:7 missing closing ": the quoted value that starts here is never closed',
    ]);
  });

  test('a tab used for indentation', () => {
    const text = 'site: demo\ngateway:\n\tid: gw-1\n';
    assert.deepEqual(problems(text), [
      'site.yaml:3:1 tabs are not allowed as indentation; indent with spaces',
    ]);
  });

  test('a key without its colon', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices
        - id: plc-1
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:4:1 implicit keys need to be on a single line (check the indentation of the lines below and for a missing ":")',
    ]);
  });

  test('a second document', () => {
    assert.deepEqual(problems('site: demo\n---\nsite: other\n'), [
      'site.yaml:2:1 a site file holds one YAML document; remove the "---" separator',
    ]);
  });

  test('every syntax error is reported, and no schema noise from the broken tree', () => {
    const text = 'site: demo\ngateway:\n\tid: gw-1\ndevices:\n  - id: "plc\n';
    const result = parseSiteText(text, FILE);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => [issue.line, issue.column, issue.code]),
      [
        [3, 1, 'CONFIG_YAML'],
        [5, 9, 'CONFIG_YAML'],
      ],
    );
  });

  test('an unknown tag is a warning, reported too', () => {
    assert.deepEqual(
      problems('site: !secret demo\n'),
      [
        'site.yaml:1:7 unresolved tag: !secret',
        'site.yaml:1:1 missing required key "gateway"',
        'site.yaml:1:1 missing required key "devices"',
      ].sort(byPosition),
    );
  });
});

describe('duplicate keys', () => {
  test('are reported at the second key with the line of the first', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
        id: gw-2
    `;
    const result = parseSiteText(text, FILE);
    assert.ok(!result.ok);
    const duplicate = result.issues.find((issue) => issue.code === 'CONFIG_YAML');
    assert.deepEqual(duplicate, {
      file: FILE,
      line: 4,
      column: 3,
      path: 'gateway.id',
      message: 'duplicate key "id" (first defined at line 3)',
      code: 'CONFIG_YAML',
    });
  });

  test('in a list entry, alongside schema issues', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          protocol: modbus-tcp
          host: 10.0.0.1
          area: utilities
          line: steam
          asset: boiler-1
          host: 10.0.0.2
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:5:5 devices[0]: missing required key "points"',
      'site.yaml:11:5 devices[0].host: duplicate key "host" (first defined at line 7)',
    ]);
  });
});

describe('anchors and merge keys', () => {
  const shared = yaml`
    site: demo
    gateway:
      id: gw-1
    devices:
      - &plc
        id: plc-1
        protocol: modbus-tcp
        host: 10.0.0.1
        area: utilities
        line: steam
        asset: boiler-1
        points:
          - { id: level, register: holding, address: 0 }
      - <<: *plc
        id: plc-2
  `;

  test('merged keys validate and point into the mapping they come from', () => {
    assert.deepEqual(problems(shared), [
      'site.yaml:8:11 devices[1].host: same host, port and unit_id (10.0.0.1:502, unit 1) as device "plc-1" at line 6',
    ]);
  });

  test('a key set next to the merge key wins over the merged one', () => {
    assert.deepEqual(problems(shared.replace('id: plc-2', 'id: plc-2\n    unit_id: 2')), []);
  });

  test('a merge key needs a mapping', () => {
    assert.deepEqual(problems('site: demo\n<<: 5\n'), [
      'site.yaml:2:1 ["<<"]: merge key "<<" needs an alias of a mapping (<<: *name) or a list of them',
    ]);
  });
});

function byPosition(a: string, b: string): number {
  const position = (line: string) => line.split(' ')[0]?.split(':').slice(1).map(Number) ?? [];
  const [lineA = 0, columnA = 0] = position(a);
  const [lineB = 0, columnB = 0] = position(b);
  return lineA - lineB || columnA - columnB;
}
