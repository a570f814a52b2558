import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PointValue } from '../../src/adapters/reading.ts';
import { commDef, discreteDef, Scenario, T0 } from './fixtures.ts';

describe('discrete alarm', () => {
  const cases: { alarmWhen: boolean | undefined; value: PointValue; active: boolean }[] = [
    { alarmWhen: undefined, value: true, active: true },
    { alarmWhen: undefined, value: false, active: false },
    { alarmWhen: true, value: true, active: true },
    { alarmWhen: true, value: false, active: false },
    { alarmWhen: false, value: false, active: true },
    { alarmWhen: false, value: true, active: false },
    { alarmWhen: true, value: 1, active: true },
    { alarmWhen: true, value: 5, active: true },
    { alarmWhen: true, value: -1, active: true },
    { alarmWhen: true, value: 0, active: false },
    { alarmWhen: false, value: 0, active: true },
    { alarmWhen: false, value: 1, active: false },
  ];
  for (const { alarmWhen, value, active } of cases) {
    test(`alarm_when ${alarmWhen ?? 'default'}, value ${value}: ${active ? 'raises' : 'stays normal'}`, () => {
      const run = new Scenario(discreteDef(alarmWhen === undefined ? {} : { alarm_when: alarmWhen }));
      run.read(value, 0);
      assert.deepEqual(run.transitions, active ? ['raise'] : []);
    });
  }

  test('raises once, clears once, and carries no level, limit or deadband', () => {
    const run = new Scenario(discreteDef());
    const [raise] = run.read(true, 0);
    assert.deepEqual(run.read(true, 100), []);
    const [clear] = run.read(false, 200);
    assert.deepEqual(run.transitions, ['raise', 'clear']);
    for (const event of [raise, clear]) {
      assert.equal(event?.kind, 'discrete');
      assert.equal('level' in (event?.state ?? {}), false);
      assert.equal(event?.limit, undefined);
      assert.equal(event?.deadband, undefined);
      assert.equal(event?.reason.threshold, undefined);
    }
    assert.equal(raise?.reason.text, 'value true = alarm_when true');
    assert.equal(clear?.reason.text, 'value false != alarm_when true');
  });

  test('a numeric input is reported as read, with its truth in the reason', () => {
    const run = new Scenario(discreteDef({ alarm_when: false }));
    const [raise] = run.read(0, 0);
    assert.equal(raise?.value, 0);
    assert.equal(raise?.reason.text, 'value 0 (false) = alarm_when false');
  });

  test('on-delay and off-delay work as for limit alarms', () => {
    const run = new Scenario(discreteDef({ on_delay_ms: 500, off_delay_ms: 2000 }));
    run.read(true, 0);
    run.read(false, 300);
    run.read(true, 400);
    run.tick(800);
    run.tick(900); // raise
    run.read(false, 1000);
    run.read(true, 2000);
    run.read(false, 2500);
    run.tick(4499);
    run.tick(4500); // clear
    assert.deepEqual(run.transitions, ['raise', 'clear']);
    assert.deepEqual(
      run.events.map((e) => e.source_time),
      [new Date(T0 + 900).toISOString(), new Date(T0 + 4500).toISOString()],
    );
    assert.equal(
      run.events[1]?.reason.text,
      'value false != alarm_when true for 2000 ms (off-delay 2000 ms)',
    );
  });

  test('priority comes from the rule, else the default medium', () => {
    assert.equal(new Scenario(discreteDef({ priority: 'critical' })).read(true, 0)[0]?.severity, 900);
    const [event] = new Scenario(discreteDef()).read(true, 0);
    assert.equal(event?.priority, 'medium');
    assert.equal(event?.severity, 500);
  });
});

describe('communication-loss alarm', () => {
  test('true raises "lost", false clears "restored", with kind comm and the device as point', () => {
    const run = new Scenario(commDef());
    const [lost] = run.read(true, 0);
    const [restored] = run.read(false, 5000);
    assert.deepEqual(run.transitions, ['raise', 'clear']);
    assert.equal(lost?.kind, 'comm');
    assert.equal(lost?.point, 'boiler-plc');
    assert.equal(lost?.device, 'boiler-plc');
    assert.equal(lost?.alarm, 'comm_loss');
    assert.equal(lost?.condition_id, 'plant/utilities/steam/boiler-1/boiler-plc/comm_loss');
    assert.equal(lost?.priority, 'high');
    assert.equal(lost?.severity, 700);
    assert.equal(lost?.message, 'Communication lost with device boiler-plc');
    assert.equal(lost?.reason.text, 'communication lost with device boiler-plc');
    assert.equal(restored?.message, 'Communication restored with device boiler-plc');
    assert.equal(restored?.priority, 'high');
  });

  test('never waits for a delay: the runner already counted the failed polls', () => {
    const def = commDef();
    const delayed = { ...def, rule: { ...def.rule, on_delay_ms: 5000, off_delay_ms: 5000 } };
    const run = new Scenario(delayed);
    run.read(true, 0);
    run.read(false, 100);
    assert.deepEqual(run.transitions, ['raise', 'clear']);
    assert.equal(run.events[0]?.reason.on_delay_ms, undefined);
  });

  test('repeated reports of the same state produce nothing', () => {
    const run = new Scenario(commDef());
    run.read(true, 0);
    run.read(true, 100);
    run.read(false, 200);
    run.read(false, 300);
    assert.deepEqual(run.transitions, ['raise', 'clear']);
  });
});
