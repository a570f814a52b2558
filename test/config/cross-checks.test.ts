import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSiteText } from '../../src/config/load.ts';
import { FILE, problems, withPoints, yaml } from './helpers.ts';

/**
 * Two devices with the given connection keys (one key a line); with one key
 * each, the first device starts on line 5 and the second on line 13.
 */
function twoDevices(firstKeys: string, secondKeys: string): string {
  const [first, second] = [firstKeys, secondKeys].map((keys) => keys.split('\n').join('\n        '));
  return yaml`
    site: demo
    gateway:
      id: gw-1
    devices:
      - id: plc-1
        protocol: modbus-tcp
        ${first}
        area: utilities
        line: steam
        asset: boiler-1
        points:
          - { id: level, register: holding, address: 0 }
      - id: plc-2
        protocol: modbus-tcp
        ${second}
        area: utilities
        line: steam
        asset: boiler-2
        points:
          - { id: level, register: holding, address: 0 }
  `;
}

describe('unique ids', () => {
  test('device ids are unique within the site', () => {
    const text = twoDevices('host: 10.0.0.1', 'host: 10.0.0.2').replace('id: plc-2', 'id: plc-1');
    const result = parseSiteText(text, FILE);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => [
        issue.code,
        `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`,
      ]),
      [['CONFIG_REFERENCE', '13:9 devices[1].id: duplicate device id "plc-1" (first defined at line 5)']],
    );
  });

  test('point ids are unique within a device, not across devices', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
      - id: flow
        register: holding
        address: 1
      - id: level
        register: holding
        address: 2
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:18:13 devices[0].points[2].id: duplicate point id "level" (first defined at line 12)',
    ]);
    assert.deepEqual(problems(twoDevices('host: 10.0.0.1', 'host: 10.0.0.2')), []);
  });

  test('rule ids are unique within a point', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - { id: high, kind: limit, H: { value: 10 } }
          - { id: high, kind: limit, HH: { value: 20 } }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:17:19 devices[0].points[0].alarms[1].id: duplicate alarm rule id "high" (first defined at line 16)',
    ]);
  });
});

describe('device endpoints', () => {
  test('two devices cannot share host, port and unit_id', () => {
    const text = twoDevices('host: 10.0.0.1', 'host: 10.0.0.1');
    const result = parseSiteText(text, FILE);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => [
        issue.code,
        `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`,
      ]),
      [
        [
          'CONFIG_REFERENCE',
          '15:11 devices[1].host: same host, port and unit_id (10.0.0.1:502, unit 1) as device "plc-1" at line 5',
        ],
      ],
    );
  });

  test('the defaults count: port 502 and unit 1 written out are the same endpoint', () => {
    const text = twoDevices('host: PLC.local', 'host: plc.local\nport: 502\nunit_id: 1');
    assert.deepEqual(problems(text), [
      'site.yaml:15:11 devices[1].host: same host, port and unit_id (plc.local:502, unit 1) as device "plc-1" at line 5',
    ]);
  });

  test('another unit id behind the same gateway is another device', () => {
    assert.deepEqual(problems(twoDevices('host: 10.0.0.1', 'host: 10.0.0.1\nunit_id: 2')), []);
  });
});

describe('alarm identities', () => {
  const sameAsset = yaml`
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
        points:
          - { id: level, register: holding, address: 0, alarms: [{ id: high, kind: limit, H: { value: 1 } }] }
      - id: plc-2
        protocol: modbus-tcp
        host: 10.0.0.2
        area: utilities
        line: steam
        asset: boiler-1
        points:
          - { id: level, register: holding, address: 0, alarms: [{ id: high, kind: limit, H: { value: 1 } }] }
  `;

  test('two devices of one asset cannot both define an alarm for an equally named point', () => {
    assert.deepEqual(problems(sameAsset), [
      'site.yaml:20:68 devices[1].points[0].alarms[0].id: same alarm demo/utilities/steam/boiler-1/level/high as devices[0].points[0].alarms[0] (first defined at line 12); give the points distinct ids or assets',
    ]);
  });

  test('a point asset of its own keeps them apart', () => {
    const fixed = sameAsset.replace(
      '- { id: level, register: holding, address: 0, alarms: [{ id: high, kind: limit, H: { value: 1 } }] }\n  ',
      '- { id: level, asset: boiler-2, register: holding, address: 0, alarms: [{ id: high, kind: limit, H: { value: 1 } }] }\n  ',
    );
    assert.notEqual(fixed, sameAsset);
    assert.deepEqual(problems(fixed), []);
  });
});

describe('points', () => {
  test('an address range past the last Modbus address', () => {
    const text = withPoints(yaml`
      - id: energy
        register: input
        address: 65534
        type: float64
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:14:18 devices[0].points[0].address: float64 at 65534 spans 65534..65537, past the last Modbus address 65535',
    ]);
  });

  test("an address past the device's highest_address", () => {
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
          highest_address: 99
          points:
            - { id: total, register: holding, address: 98, type: uint32 }
            - { id: fault, register: coil, address: 100 }
            - { id: last, register: holding, address: 99 }
    `;
    // uint32 at 98 ends on 99 exactly, which the device still serves.
    assert.deepEqual(problems(text), [
      "site.yaml:14:47 devices[0].points[1].address: address 100 is past the device's highest_address 99",
    ]);
  });

  test('a schema error on the address is not repeated as a range error', () => {
    const text = withPoints('- { id: energy, register: input, address: 70000, type: float64 }\n');
    assert.deepEqual(problems(text), [
      'site.yaml:12:49 devices[0].points[0].address: must be an integer >= 0 and <= 65535',
    ]);
  });

  test('coils and discrete inputs hold bools only', () => {
    const text = withPoints(yaml`
      - { id: trip, register: coil, address: 0, type: uint16 }
      - { id: run, register: discrete, address: 0, type: float32 }
      - { id: ready, register: discrete, address: 1 }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:12:55 devices[0].points[0].type: must be bool: a coil holds a single bit',
      'site.yaml:13:58 devices[0].points[1].type: must be bool: a discrete input holds a single bit',
    ]);
  });

  test('holding and input registers hold words, not bools', () => {
    const text = withPoints('- { id: trip, register: input, address: 0, type: bool }\n');
    assert.deepEqual(problems(text), [
      'site.yaml:12:56 devices[0].points[0].type: bool is only for coil and discrete registers; for one bit of an input register use type bit with a "bit" index',
    ]);
  });

  test('type bit needs a bit index', () => {
    const text = withPoints(yaml`
      - id: flame
        register: holding
        address: 10
        type: bit
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:12:9 devices[0].points[0]: missing required key "bit" (type bit reads one bit of the word: 0 = least significant, 15 = most)',
    ]);
  });

  test('a bit index belongs to type bit only', () => {
    const text = withPoints(yaml`
      - id: flame
        register: holding
        address: 10
        bit: 3
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:15:9 devices[0].points[0].bit: key "bit" is only allowed with type bit (this point is uint16)',
    ]);
  });

  test('a byte order on a one-register type is rejected', () => {
    const text = withPoints(yaml`
      - id: temperature
        register: input
        address: 0
        type: int16
        order: CDAB
      - id: flow
        register: input
        address: 1
        type: int32
        order: CDAB
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:16:9 devices[0].points[0].order: order only applies to types of 2 or 4 registers (int32, uint32, float32, float64); this point is int16',
    ]);
  });

  test('a mismatched type is reported once, without what would follow from it', () => {
    const text = withPoints('- { id: trip, register: coil, address: 0, type: bit, order: ABCD }\n');
    assert.deepEqual(problems(text), [
      'site.yaml:12:55 devices[0].points[0].type: must be bool: a coil holds a single bit',
    ]);
  });
});

describe('alarm rules', () => {
  test('a limit rule needs a level', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: high
            kind: limit
            deadband: 1
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:16:13 devices[0].points[0].alarms[0]: a limit rule needs at least one level: HH, H, L or LL',
    ]);
  });

  test('levels must rise LL < L < H < HH', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: levels
            kind: limit
            HH: { value: 90 }
            H: { value: 95 }
            L: { value: 20 }
            LL: { value: 20 }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:18:26 devices[0].points[0].alarms[0].HH.value: must be above H (95): levels rise LL < L < H < HH',
      'site.yaml:20:25 devices[0].points[0].alarms[0].L.value: must be above LL (20): levels rise LL < L < H < HH',
    ]);
  });

  test('a limit rule on a boolean point', () => {
    const text = withPoints(yaml`
      - id: trip
        register: coil
        address: 0
        alarms:
          - { id: trip, kind: limit, H: { value: 1 } }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:16:31 devices[0].points[0].alarms[0].kind: a limit rule needs a numeric point, and this point is bool; use kind discrete',
    ]);
  });

  test('a discrete rule on a numeric point', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        type: float32
        alarms:
          - { id: trip, kind: discrete }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:17:31 devices[0].points[0].alarms[0].kind: a discrete rule needs a bool or bit point, and this point is float32; use kind limit',
    ]);
  });

  test('a discrete rule on a bit of a word is fine', () => {
    const text = withPoints(yaml`
      - id: flame
        register: holding
        address: 10
        type: bit
        bit: 3
        alarms:
          - { id: flame, kind: discrete, alarm_when: false }
    `);
    assert.deepEqual(problems(text), []);
  });

  test('a rule deadband as wide as the gap between two levels', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: levels
            kind: limit
            deadband: 5
            HH: { value: 90 }
            H: { value: 85 }
            L: { value: 20 }
    `);
    // HH could not clear before the value reaches H; H and L are far enough apart.
    assert.deepEqual(problems(text), [
      'site.yaml:18:23 devices[0].points[0].alarms[0].deadband: must be smaller than the gap of 5 between H (85) and HH (90)',
    ]);
  });

  test('a level deadband wider than the gap to its neighbour', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: levels
            kind: limit
            deadband: 0.5
            L: { value: 9.8, deadband: 0.2 }
            H: { value: 10 }
    `);
    // H has no deadband of its own, so the rule's 0.5 applies to it; L has its own 0.2.
    assert.deepEqual(problems(text), [
      'site.yaml:18:23 devices[0].points[0].alarms[0].deadband: must be smaller than the gap of 0.2 between L (9.8) and H (10)',
      'site.yaml:19:40 devices[0].points[0].alarms[0].L.deadband: must be smaller than the gap of 0.2 between L (9.8) and H (10)',
    ]);
  });

  test('levels out of order are not also judged by their deadband', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - { id: levels, kind: limit, deadband: 50, H: { value: 10 }, HH: { value: 5 } }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:16:85 devices[0].points[0].alarms[0].HH.value: must be above H (10): levels rise LL < L < H < HH',
    ]);
  });
});

describe('checks on the parts that pass the schema', () => {
  test('a schema error in one device does not hide a duplicate in another', () => {
    const text = twoDevices('host: 10.0.0.1\nport: 0', 'host: 10.0.0.1\nport: 0').replace(
      'id: plc-2',
      'id: plc-1',
    );
    assert.deepEqual(problems(text), [
      'site.yaml:8:11 devices[0].port: must be an integer >= 1 and <= 65535',
      'site.yaml:14:9 devices[1].id: duplicate device id "plc-1" (first defined at line 5)',
      'site.yaml:17:11 devices[1].port: must be an integer >= 1 and <= 65535',
    ]);
  });
});
