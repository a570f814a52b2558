import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { problems, withPoints } from './helpers.ts';

describe('alarm rules of every kind', () => {
  test('a site with each kind, references and suppression is valid', () => {
    const text = withPoints(`
- { id: cmd, register: coil, address: 0 }
- { id: running, register: coil, address: 1 }
- id: sp
  register: holding
  address: 0
- id: temp
  register: holding
  address: 1
  alarms:
    - { id: dev, kind: deviation, setpoint_point: sp, high: { value: 5 }, low: { value: 5, priority: low } }
    - { id: fast, kind: rate, per: minute, window_ms: 30000, rising: { value: 2 } }
    - { id: frozen, kind: stale, flatline_ms: 60000 }
    - { id: hi, kind: limit, levels: non_exclusive, H: { value: 80 }, HH: { value: 90 }, latch: true, realarm_ms: 60000 }
- id: word
  register: holding
  address: 2
  alarms:
    - { id: b0, kind: bit, bit: 0, suppress_when: "running == false" }
    - { id: b3, kind: bit, bit: 3, chatter: { max_raises: 3, window_ms: 60000, shelve_ms: 600000 } }
- id: feedback
  register: coil
  address: 2
  alarms:
    - { id: mismatch, kind: discrete, command_point: cmd, on_delay_ms: 5000 }
`);
    assert.deepEqual(problems(text), []);
  });

  test('references must name points of the site file', () => {
    const text = withPoints(`
- id: temp
  register: holding
  address: 1
  alarms:
    - { id: dev, kind: deviation, setpoint_point: nowhere, high: { value: 5 } }
    - { id: hi, kind: limit, H: { value: 8 }, suppress_when: "other-plc/running == 1" }
`);
    assert.deepEqual(problems(text), [
      'site.yaml:16:57 devices[0].points[0].alarms[0].setpoint_point: setpoint point "nowhere" is not a point of this site file (a point of device plc-1, or device/point)',
      'site.yaml:17:68 devices[0].points[0].alarms[1].suppress_when: condition names point "other-plc/running" is not a point of this site file (device/point)',
    ]);
  });

  test('a condition that does not parse is reported with its column', () => {
    const text = withPoints(`
- id: temp
  register: holding
  address: 1
  alarms:
    - { id: hi, kind: limit, H: { value: 8 }, suppress_when: "temp >" }
`);
    const [problem] = problems(text);
    assert.match(
      problem ?? '',
      /site\.yaml:16:\d+ devices\[0\]\.points\[0\]\.alarms\[0\]\.suppress_when: condition "temp >": expected a point, a number, true or false but the condition ends at column 7/,
    );
  });

  test('bit, rate and deviation rules need a numeric point; sides and stale bounds are required', () => {
    const text = withPoints(`
- id: flag
  register: coil
  address: 0
  alarms:
    - { id: b, kind: bit, bit: 1 }
- id: temp
  register: holding
  address: 1
  alarms:
    - { id: r, kind: rate }
    - { id: s, kind: stale }
`);
    const found = problems(text);
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0] ?? '', /alarms\[0\]\.kind: a bit rule needs an integer alarm word/);
    assert.match(found[1] ?? '', /alarms\[0\]: a rate rule needs rising or falling/);
    assert.match(found[2] ?? '', /alarms\[1\]: a stale rule needs flatline_ms or no_update_ms/);
  });
});
