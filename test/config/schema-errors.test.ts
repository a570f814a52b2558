import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSiteText } from '../../src/config/load.ts';
import { KafkaSettings, ModbusPoint } from '../../src/config/schema.ts';
import { FILE, problems, withPoints, yaml } from './helpers.ts';

// Taken from the schema so that adding an optional key does not break these tests.
const POINT_KEYS = Object.keys(ModbusPoint.properties).join(', ');
const KAFKA_KEYS = Object.keys(KafkaSettings.properties).join(', ');

describe('unknown keys', () => {
  test('at the top level', () => {
    const text = yaml`
      site: demo
      sites: demo
      gateway:
        id: gw-1
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:1:1 missing required key "devices"',
      'site.yaml:2:1 sites: unknown key "sites" (allowed: $schema, site, description, gateway, devices)',
    ]);
  });

  test('in the kafka settings', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
        kafka:
          broker: [a:9092]
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:1:1 missing required key "devices"',
      `site.yaml:5:5 gateway.kafka.broker: unknown key "broker" (allowed: ${KAFKA_KEYS})`,
    ]);
  });

  test('in a point', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        adress: 3
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:12:9 devices[0].points[0]: missing required key "address"',
      `site.yaml:14:9 devices[0].points[0].adress: unknown key "adress" (allowed: ${POINT_KEYS})`,
    ]);
  });

  test('in a limit level written as a flow mapping', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: high
            kind: limit
            H: { value: 10, priorty: high }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:18:29 devices[0].points[0].alarms[0].H.priorty: unknown key "priorty" (allowed: value, priority, deadband)',
    ]);
  });

  test('a rule gets the keys of its own kind only', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: high
            kind: limit
            alarm_when: true
            H: { value: 10 }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:18:13 devices[0].points[0].alarms[0].alarm_when: unknown key "alarm_when" (allowed: id, priority, message, on_delay_ms, off_delay_ms, realarm_ms, latch, suppress_when, chatter, kind, deadband, HH, H, L, LL, levels)',
    ]);
  });
});

describe('missing keys', () => {
  test('are reported at the mapping that lacks them', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          protocol: modbus-tcp
          area: utilities
          line: steam
          points:
            - { id: level, register: holding, address: 0 }
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:5:5 devices[0]: missing required key "host"',
      'site.yaml:5:5 devices[0]: missing required key "asset"',
    ]);
  });

  test('a key with no value', () => {
    const text = withPoints(yaml`
      - id: level
        register:
        address: 0
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:13:9 devices[0].points[0].register: has no value (expected one of holding, input, coil, discrete)',
    ]);
  });
});

describe('wrong values', () => {
  test('a string where an integer belongs', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: forty
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:14:18 devices[0].points[0].address: must be an integer >= 0 and <= 65535',
    ]);
  });

  test('a number where a string belongs', () => {
    const text = yaml`
      site: 2024
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          protocol: modbus-tcp
          host: 10.0.0.1
          area: utilities
          line: steam
          asset: boiler-1
          points: { id: level }
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:1:7 site: must be a string (put the value in quotes)',
      'site.yaml:11:13 devices[0].points: must be a list',
    ]);
  });

  test('an integer out of range', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 70000
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:14:18 devices[0].points[0].address: must be an integer >= 0 and <= 65535',
    ]);
  });

  test('a fraction where an integer belongs', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 1.5
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:14:18 devices[0].points[0].address: must be an integer >= 0 and <= 65535',
    ]);
  });

  test('a negative deadband and a non-finite threshold', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: high
            kind: limit
            deadband: -1
            H: { value: .inf }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:18:23 devices[0].points[0].alarms[0].deadband: must be a number >= 0',
      'site.yaml:19:25 devices[0].points[0].alarms[0].H.value: must be a number, not Infinity',
    ]);
  });

  test('a value outside an enumeration', () => {
    const text = withPoints(yaml`
      - id: level
        register: holdings
        address: 0
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:13:19 devices[0].points[0].register: must be one of holding, input, coil, discrete',
    ]);
  });

  test('an id with a space', () => {
    const text = withPoints(yaml`
      - id: drum level
        register: holding
        address: 0
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:12:13 devices[0].points[0].id: must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
    ]);
  });

  test('an empty host and an empty device list entry', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          protocol: modbus-tcp
          host: ""
          area: utilities
          line: steam
          asset: boiler-1
          points:
            - { id: level, register: holding, address: 0 }
        -
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:7:11 devices[0].host: must not be empty',
      'site.yaml:13:4 devices[1]: has no value (expected a mapping)',
    ]);
  });
});

describe('tagged unions', () => {
  test('an unknown protocol is one issue listing the protocols', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          protocol: modbus-ascii
          serial: /dev/ttyUSB0
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:6:15 devices[0].protocol: must be one of modbus-tcp, modbus-rtu, opcua, mqtt',
    ]);
  });

  test('a missing protocol is one issue', () => {
    const text = yaml`
      site: demo
      gateway:
        id: gw-1
      devices:
        - id: plc-1
          host: 10.0.0.1
    `;
    assert.deepEqual(problems(text), ['site.yaml:5:5 devices[0]: missing required key "protocol"']);
  });

  test('an unknown rule kind is one issue listing the kinds', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms:
          - id: high
            kind: threshold
            above: 10
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:17:19 devices[0].points[0].alarms[0].kind: must be one of limit, discrete, bit, rate, deviation, stale',
    ]);
  });

  test('a rule that is not a mapping', () => {
    const text = withPoints(yaml`
      - id: level
        register: holding
        address: 0
        alarms: [high]
    `);
    assert.deepEqual(problems(text), ['site.yaml:15:18 devices[0].points[0].alarms[0]: must be a mapping']);
  });

  test('schema issues are CONFIG_SCHEMA', () => {
    const result = parseSiteText(withPoints('- { id: level, register: holding, address: -1 }\n'), FILE);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => issue.code),
      ['CONFIG_SCHEMA'],
    );
  });
});
