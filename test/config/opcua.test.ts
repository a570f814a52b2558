import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSiteText } from '../../src/config/load.ts';
import { FILE, problems, yaml } from './helpers.ts';

/** One OPC UA device with the given device keys (from column 1); `points:` is on line 11 plus their lines. */
function opcuaSite(deviceKeys: string, points: string): string {
  const indent = (text: string, spaces: number) =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => `${' '.repeat(spaces)}${line}\n`)
      .join('');
  const header = yaml`
    site: demo
    gateway:
      id: gw-1
    devices:
      - id: ua-1
        protocol: opcua
        endpoint: opc.tcp://10.0.0.5:4840
        area: utilities
        line: steam
        asset: boiler-1
  `;
  return `${header}${indent(deviceKeys, 4)}    points:\n${indent(points, 6)}`;
}

const LEVEL = '- { id: level, node_id: "nsu=urn:acme:plc;s=Boiler.Level" }';

describe('OPC UA devices', () => {
  test('a complete device is valid and keeps its keys', () => {
    const text = opcuaSite(
      yaml`
        security_mode: Sign
        security_policy: Aes256_Sha256_RsaPss
        user: { kind: username, username: operator, password_env: UA_PASSWORD }
        mode: subscribe
        max_items_per_subscription: 500
        comm_loss_after: 2
      `,
      yaml`
        - id: level
          node_id: "nsu=urn:acme:plc;s=Boiler.Level"
          sampling_interval_ms: 250
          queue_size: 4
          discard_oldest: false
          trigger: status_value_timestamp
          deadband: { kind: percent, value: 2 }
          alarms:
            - { id: high, kind: limit, H: { value: 80 } }
        - id: trip
          node_id: "ns=2;i=1001"
          type: bool
          alarms:
            - { id: trip, kind: discrete }
      `,
    );
    const result = parseSiteText(text, FILE);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    const device = result.site.devices[0];
    assert.equal(device?.protocol, 'opcua');
    assert.equal(device?.points.length, 2);
  });

  test('NodeIds are checked for syntax', () => {
    const text = opcuaSite('', '- { id: level, node_id: "ns=x;s=Level" }\n- { id: flow, node_id: "s=" }');
    const found = problems(text);
    assert.equal(found.length, 2);
    assert.match(
      found[0] ?? '',
      /^site\.yaml:12:\d+ devices\[0\]\.points\[0\]\.node_id: must be a NodeId such as/,
    );
    assert.match(found[1] ?? '', /^site\.yaml:13:\d+ devices\[0\]\.points\[1\]\.node_id: must be a NodeId/);
  });

  test('the endpoint must be an opc.tcp URL', () => {
    const text = opcuaSite('', LEVEL).replace('opc.tcp://10.0.0.5:4840', 'http://10.0.0.5');
    assert.deepEqual(problems(text), [
      'site.yaml:7:15 devices[0].endpoint: must be an endpoint URL such as opc.tcp://10.0.0.5:4840',
    ]);
  });

  test('an unknown security policy names the allowed ones', () => {
    const found = problems(opcuaSite('security_policy: Basic128Rsa15', LEVEL));
    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /^site\.yaml:11:22 devices\[0\]\.security_policy: .*Basic256Sha256/);
  });

  test('security mode and policy must agree', () => {
    assert.deepEqual(problems(opcuaSite('security_mode: None\nsecurity_policy: Basic256Sha256', LEVEL)), [
      'site.yaml:12:22 devices[0].security_policy: security_policy Basic256Sha256 needs security_mode Sign or SignAndEncrypt (security_mode is None)',
    ]);
    assert.deepEqual(problems(opcuaSite('security_mode: Sign\nsecurity_policy: None', LEVEL)), [
      'site.yaml:12:22 devices[0].security_policy: security_mode Sign needs a security policy other than None (e.g. Basic256Sha256)',
    ]);
    assert.deepEqual(problems(opcuaSite('security_mode: None', LEVEL)), []);
  });

  test('a password is never inline and comes from exactly one place', () => {
    const inline = problems(opcuaSite('user: { kind: username, username: op, password: secret }', LEVEL));
    assert.equal(inline.length, 1);
    assert.match(inline[0] ?? '', /devices\[0\]\.user\.password: unknown key "password"/);
    assert.deepEqual(problems(opcuaSite('user: { kind: username, username: op }', LEVEL)), [
      'site.yaml:11:11 devices[0].user: a username needs its password from password_file or password_env (never inline)',
    ]);
    const both = 'user: { kind: username, username: op, password_env: PW, password_file: /etc/pw }';
    assert.deepEqual(problems(opcuaSite(both, LEVEL)), [
      'site.yaml:11:11 devices[0].user: give the password in one place: password_file or password_env, not both',
    ]);
    assert.deepEqual(
      problems(opcuaSite('user: { kind: certificate, cert_file: u.pem, key_file: u.key }', LEVEL)),
      [],
    );
  });

  test('point ids and node ids are unique within a device', () => {
    const text = opcuaSite(
      '',
      yaml`
        - { id: level, node_id: "ns=2;s=A" }
        - { id: level, node_id: "ns=2;s=B" }
        - { id: flow, node_id: "ns=2;s=A" }
      `,
    );
    assert.deepEqual(problems(text), [
      'site.yaml:13:15 devices[0].points[1].id: duplicate point id "level" (first defined at line 12)',
      'site.yaml:14:30 devices[0].points[2].node_id: duplicate node_id "ns=2;s=A" (first used at line 12)',
    ]);
  });

  test('alarm rules must fit the point type; a bool point has no deadband', () => {
    const text = opcuaSite(
      '',
      yaml`
        - { id: trip, node_id: "ns=2;s=T", type: bool, deadband: { kind: absolute, value: 1 }, alarms: [{ id: t, kind: limit, H: { value: 1 } }] }
        - { id: level, node_id: "ns=2;s=L", alarms: [{ id: l, kind: discrete }] }
      `,
    );
    const found = problems(text);
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0] ?? '', /points\[0\]\.deadband: a deadband only applies to numeric points/);
    assert.match(found[1] ?? '', /points\[0\]\.alarms\[0\]\.kind: a limit rule needs a numeric point/);
    assert.match(found[2] ?? '', /points\[1\]\.alarms\[0\]\.kind: a discrete rule needs a bool or bit point/);
  });

  test('native conditions need subscribe mode', () => {
    const found = problems(opcuaSite('mode: poll\nnative_conditions: {}', LEVEL));
    assert.deepEqual(found, [
      'site.yaml:12:5 devices[0].native_conditions: native_conditions need mode subscribe: conditions arrive as events, which a poll cannot read',
    ]);
    assert.deepEqual(
      problems(opcuaSite('native_conditions: { source_node: "nsu=urn:plc;s=Area1" }', LEVEL)),
      [],
    );
  });

  test('a percent deadband is at most 100', () => {
    const found = problems(
      opcuaSite('', '- { id: l, node_id: "ns=2;s=L", deadband: { kind: percent, value: 120 } }'),
    );
    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /points\[0\]\.deadband\.value: must be a number >= 0 and <= 100/);
  });

  test('device ids are unique across protocols', () => {
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
          points:
            - { id: level, register: holding, address: 0 }
        - id: plc-1
          protocol: opcua
          endpoint: opc.tcp://10.0.0.5:4840
          area: utilities
          line: steam
          asset: boiler-2
          points:
            - { id: level, node_id: "ns=2;s=L" }
    `;
    assert.deepEqual(problems(text), [
      'site.yaml:13:9 devices[1].id: duplicate device id "plc-1" (first defined at line 5)',
    ]);
  });
});
