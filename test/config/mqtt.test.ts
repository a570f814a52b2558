/** Validation of MQTT devices: schema, topic filters, named levels, secrets, TLS, client ids. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSiteText } from '../../src/config/load.ts';
import { FILE, problems, yaml } from './helpers.ts';

/** A valid site with one MQTT device; its `points:` key is on line 13, the first point on line 14. */
function mqttSite(points: string, deviceKeys = ''): string {
  const header = yaml`
    site: demo
    gateway:
      id: gw-1
    devices:
      - id: sensors
        protocol: mqtt
        url: mqtt://broker.local:1883
        username: gateway
        password: { file: /etc/gateway/mqtt.password }
        area: utilities
        line: water
        asset: tank-1
        points:
  `;
  const body = points
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `      ${line}\n`)
    .join('');
  const keys = deviceKeys
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `    ${line}\n`)
    .join('');
  return `${header}${body}${keys}`;
}

describe('MQTT devices', () => {
  test('a device with plain, JSON and templated points is valid', () => {
    const text = mqttSite(`
      - id: level
        format: json
        topic: plant/tank-1/level
        value_path: data.level
        timestamp_path: ts
        quality_path: q
        alarms: [{ id: high, kind: limit, H: { value: 8 } }]
      - id: "{pump}.running"
        format: plain
        topic: plant/pumps/+pump/running
        type: boolean
        alarms: [{ id: stopped, kind: discrete, alarm_when: false }]
    `);
    assert.deepEqual(problems(text), []);
    const result = parseSiteText(text, FILE);
    assert.ok(result.ok && result.site.devices[0]?.protocol === 'mqtt');
  });

  test('a Sparkplug device with metrics is valid', () => {
    const text = mqttSite(
      `
      - { id: pressure, format: sparkplug, metric: Filler/Pressure }
    `,
      'sparkplug: { group_id: plant, edge_node_id: filler-1, device_id: press }',
    );
    assert.deepEqual(problems(text), []);
  });

  test('bad topic filters are reported at the topic', () => {
    const text = mqttSite(`
      - { id: a, format: plain, topic: "plant/#/x" }
      - { id: b, format: plain, topic: "plant/x+" }
      - { id: c, format: plain, topic: "plant/+n/+n" }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:14:46 devices[0].points[0].topic: not a valid topic filter: "#" must be the last level; level 2 ("#") is not',
      'site.yaml:15:46 devices[0].points[1].topic: not a valid topic filter: level 2 ("x+"): "+" and "#" must stand for a whole level',
      'site.yaml:16:46 devices[0].points[2].topic: not a valid topic filter: level name "n" is used twice',
    ]);
  });

  test('a point id may only name levels its filter names', () => {
    const text = mqttSite(`
      - { id: "{asset}.temp", format: plain, topic: "plant/+line/temp" }
    `);
    assert.deepEqual(problems(text), [
      'site.yaml:14:21 devices[0].points[0].id: {asset} is not a named level of the topic filter (name a level "+asset")',
    ]);
  });

  test('duplicate point ids, unknown formats and missing keys', () => {
    const text = mqttSite(`
      - { id: a, format: plain, topic: x }
      - { id: a, format: plain, topic: y }
      - { id: b, format: xml, topic: z }
      - { id: c, format: json, topic: z }
    `);
    const found = problems(text);
    assert.ok(
      found.some((line) =>
        /15:\d+ devices\[0\]\.points\[1\]\.id: duplicate point id "a" \(first defined at line 14\)/.test(
          line,
        ),
      ),
      found.join('\n'),
    );
    assert.ok(
      found.some((line) => /devices\[0\]\.points\[2\]\.format/.test(line)),
      found.join('\n'),
    );
    assert.ok(
      found.some((line) => /devices\[0\]\.points\[3\].*value_path/.test(line)),
      found.join('\n'),
    );
  });

  test('sparkplug points need a sparkplug device, and a sparkplug device only has metrics', () => {
    const plain = mqttSite(`
      - { id: p, format: sparkplug, metric: M }
    `);
    assert.match(
      problems(plain).join('\n'),
      /points\[0\]\.format: format sparkplug needs a "sparkplug" block/,
    );
    const spark = mqttSite(
      `
      - { id: p, format: plain, topic: x }
    `,
      'sparkplug: { group_id: g, edge_node_id: n }',
    );
    assert.match(
      problems(spark).join('\n'),
      /points\[0\]\.format: the points of a Sparkplug device are metrics/,
    );
  });

  test('alarm rules fit the point type', () => {
    const text = mqttSite(`
      - id: run
        format: plain
        topic: x
        alarms: [{ id: r, kind: discrete }]
      - id: level
        format: plain
        topic: y
        type: boolean
        alarms: [{ id: l, kind: limit, H: { value: 1 } }]
    `);
    const found = problems(text).join('\n');
    assert.match(
      found,
      /points\[0\]\.alarms\[0\]\.kind: a discrete rule needs a boolean point, and this point is number \(the default\); use kind limit or type: boolean/,
    );
    assert.match(
      found,
      /points\[1\]\.alarms\[0\]\.kind: a limit rule needs a numeric point, and this point is boolean/,
    );
  });

  test('passwords come from exactly one of file or env, never inline', () => {
    const inline = mqttSite('- { id: a, format: plain, topic: x }').replace(
      'password: { file: /etc/gateway/mqtt.password }',
      'password: hunter2',
    );
    assert.match(problems(inline).join('\n'), /devices\[0\]\.password/);
    const both = mqttSite('- { id: a, format: plain, topic: x }').replace(
      'password: { file: /etc/gateway/mqtt.password }',
      'password: { file: /x, env: X }',
    );
    assert.match(problems(both).join('\n'), /devices\[0\]\.password: give either "file" or "env", not both/);
    const none = mqttSite('- { id: a, format: plain, topic: x }').replace(
      'password: { file: /etc/gateway/mqtt.password }',
      'password: {}',
    );
    assert.match(problems(none).join('\n'), /passwords are never inline/);
  });

  test('urls, TLS on mqtt://, client certificate pairs, QoS', () => {
    const base = mqttSite('- { id: a, format: plain, topic: x }');
    assert.match(
      problems(base.replace('mqtt://broker.local:1883', 'http://broker')).join('\n'),
      /url: must be mqtt:\/\/host\[:port\] or mqtts/,
    );
    assert.match(
      problems(`${base}    tls: { ca_file: /ca.pem }\n`).join('\n'),
      /devices\[0\]\.tls: tls settings need an mqtts:\/\/ url/,
    );
    const mqtts = base.replace('mqtt://broker.local:1883', 'mqtts://broker.local:8883');
    assert.deepEqual(problems(`${mqtts}    tls: { ca_file: /ca.pem }\n`), []);
    assert.match(
      problems(`${mqtts}    tls: { cert_file: /c.pem }\n`).join('\n'),
      /needs both cert_file and key_file/,
    );
    assert.match(problems(`${base}    qos: 2\n`).join('\n'), /devices\[0\]\.qos/);
  });

  test('two devices on one broker may not share a client id', () => {
    const device = (id: string, clientId: string) => yaml`
      - id: ${id}
        protocol: mqtt
        url: mqtt://broker.local:1883
        client_id: ${clientId}
        area: a
        line: l
        asset: ${id}
        points: [{ id: p, format: plain, topic: x }]
    `;
    const text =
      `site: demo\ngateway: { id: gw-1 }\ndevices:\n${device('one', 'same')}${device('two', 'same')}`
        .split('\n')
        .map((line) => (line.startsWith('- ') || line.startsWith('  ') ? `  ${line}` : line))
        .join('\n');
    assert.match(
      problems(text).join('\n'),
      /devices\[1\]\.client_id: client id "same" is already used on mqtt:\/\/broker.local:1883/,
    );
  });
});
