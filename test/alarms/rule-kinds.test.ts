import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileAlarms } from '../../src/alarms/compile.ts';
import type { ReadingContext } from '../../src/alarms/observe.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { ruleDef, Scenario } from './fixtures.ts';

const setpoint = (value: number | undefined): ReadingContext => ({
  valueOf: (key) => (key === 'boiler-plc/sp' ? value : undefined),
});

describe('bit alarms', () => {
  test('each bit of the alarm word is an alarm of its own', () => {
    const bit3 = new Scenario(ruleDef({ id: 'b3', kind: 'bit', bit: 3 }));
    assert.deepEqual(bit3.read(0b0111, 0), []);
    assert.equal(bit3.read(0b1000, 100)[0]?.transition, 'raise');
    assert.match(bit3.events[0]?.reason.text ?? '', /bit 3 of 8 is set/);
    assert.equal(bit3.read(0b0001, 200)[0]?.transition, 'clear');
  });

  test('alarm_when false alarms on a clear bit; a non-integer word decides nothing', () => {
    const run = new Scenario(ruleDef({ id: 'b0', kind: 'bit', bit: 0, alarm_when: false }));
    assert.equal(run.read(2, 0)[0]?.transition, 'raise');
    assert.deepEqual(run.read(1.5, 100), []);
    assert.deepEqual(run.read(-1, 200), []);
    assert.equal(run.read(1, 300)[0]?.transition, 'clear');
  });

  test('bits above 31 work (words up to 53 bits)', () => {
    const run = new Scenario(ruleDef({ id: 'b40', kind: 'bit', bit: 40 }));
    assert.equal(run.read(2 ** 40 + 1, 0)[0]?.transition, 'raise');
  });
});

describe('rate-of-change alarms', () => {
  const def = ruleDef({
    id: 'ramp',
    kind: 'rate',
    window_ms: 10_000,
    rising: { value: 1 },
    falling: { value: 2 },
  });

  test('the rate is the change over the window, per second; rising is H and falling is L', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.read(10, 0), [], 'one sample has no rate');
    assert.deepEqual(run.read(15, 10_000), [], '0.5 per second');
    const [raise] = run.read(31, 20_000);
    assert.equal(raise?.state.level, 'H');
    assert.match(raise?.reason.text ?? '', /rate \(per second\) 1\.6 >= H limit 1/);
    assert.equal(raise?.value, 31, 'the event reports the value, the reason the rate');
    const [clear] = run.read(31, 30_000);
    assert.equal(clear?.transition, 'clear');
    const [fall] = run.read(0, 40_000);
    assert.equal(fall?.state.level, 'L');
  });

  test('per minute scales the rate; a reading older than the newest is ignored', () => {
    const run = new Scenario(ruleDef({ id: 'ramp', kind: 'rate', per: 'minute', rising: { value: 30 } }));
    run.read(0, 0);
    assert.deepEqual(run.read(1, 5000), [], '12 per minute');
    assert.deepEqual(run.read(100, 4000), [], 'out of order');
    assert.equal(run.read(4, 8000)[0]?.transition, 'raise');
  });
});

describe('deviation alarms', () => {
  const def = ruleDef(
    {
      id: 'dev',
      kind: 'deviation',
      setpoint_point: 'sp',
      high: { value: 5 },
      low: { value: 3, priority: 'low' },
    },
    { reference: 'boiler-plc/sp' },
  );

  test('compare the value with its setpoint, above (H) and below (L)', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.read(54, 0, {}, setpoint(50)), []);
    const [high] = run.read(55, 100, {}, setpoint(50));
    assert.equal(high?.state.level, 'H');
    assert.match(high?.reason.text ?? '', /deviation 5 >= H limit 5/);
    const [low] = run.read(46, 200, {}, setpoint(50));
    assert.deepEqual([low?.transition, low?.state.level, low?.priority], ['level_change', 'L', 'low']);
  });

  test('without a usable setpoint the reading decides nothing', () => {
    const run = new Scenario(def);
    assert.deepEqual(run.read(100, 0, {}, setpoint(undefined)), []);
  });

  test('percent of the setpoint; a zero setpoint decides nothing', () => {
    const run = new Scenario(
      ruleDef(
        { id: 'dev', kind: 'deviation', setpoint_point: 'sp', mode: 'percent', high: { value: 10 } },
        { reference: 'boiler-plc/sp' },
      ),
    );
    assert.deepEqual(run.read(109, 0, {}, setpoint(100)), []);
    assert.equal(run.read(-90, 100, {}, setpoint(-100))[0]?.transition, 'raise');
    assert.deepEqual(run.read(5, 200, {}, setpoint(0)), []);
  });
});

describe('state mismatch', () => {
  test('in alarm while feedback differs from its command, after the travel time', () => {
    const command = (value: boolean): ReadingContext => ({
      valueOf: (key) => (key === 'boiler-plc/cmd' ? value : undefined),
    });
    const run = new Scenario(
      ruleDef(
        { id: 'mismatch', kind: 'discrete', command_point: 'cmd', on_delay_ms: 5000 },
        { reference: 'boiler-plc/cmd' },
      ),
    );
    assert.deepEqual(run.read(false, 0, {}, command(true)), [], 'travelling');
    assert.deepEqual(run.read(true, 3000, {}, command(true)), [], 'arrived in time');
    run.read(false, 4000, {}, command(true));
    const [raise] = run.read(false, 9000, {}, command(true));
    assert.equal(raise?.transition, 'raise');
    assert.match(raise?.reason.text ?? '', /value false differs from command cmd/);
    assert.equal(run.read(false, 9100, {}, command(false))[0]?.transition, 'clear');
  });
});

describe('stale alarms', () => {
  test('flatline: raised by tick when the value stays the same, cleared by a change', () => {
    const run = new Scenario(ruleDef({ id: 'frozen', kind: 'stale', flatline_ms: 60_000 }));
    run.read(5, 0);
    run.read(5, 30_000);
    assert.deepEqual(run.tick(59_999), []);
    const [raise] = run.tick(60_000);
    assert.equal(raise?.transition, 'raise');
    assert.match(raise?.reason.text ?? '', /stale \(flatline_ms 60000\)/);
    assert.deepEqual(run.read(5, 70_000), [], 'the same value again changes nothing');
    assert.equal(run.read(6, 80_000)[0]?.transition, 'clear');
  });

  test('no update: bad readings do not count as fresh', () => {
    const run = new Scenario(ruleDef({ id: 'silent', kind: 'stale', no_update_ms: 10_000 }));
    run.read(1, 0);
    run.read(null, 5000, { quality: 'bad' });
    assert.equal(run.tick(10_000)[0]?.transition, 'raise');
    assert.equal(run.read(1, 11_000)[0]?.transition, 'clear');
  });
});

describe('non-exclusive limit levels', () => {
  test('compile to one alarm per level, each with its own id', () => {
    const site: SiteFile = {
      site: 's',
      gateway: { id: 'gw' },
      devices: [
        {
          id: 'plc',
          protocol: 'modbus-tcp',
          host: '127.0.0.1',
          area: 'a',
          line: 'l',
          asset: 't',
          points: [
            {
              id: 'level',
              register: 'holding',
              address: 0,
              alarms: [
                {
                  id: 'lvl',
                  kind: 'limit',
                  levels: 'non_exclusive',
                  H: { value: 80 },
                  HH: { value: 90, priority: 'critical' },
                },
              ],
            },
          ],
        },
      ],
    };
    const defs = compileAlarms(site).byPoint.get('plc/level') ?? [];
    assert.deepEqual(
      defs.map((def) => def.conditionId),
      ['s/a/l/t/level/lvl.HH', 's/a/l/t/level/lvl.H'],
    );
    const [hh, h] = defs.map((def) => new Scenario(def));
    assert.ok(hh && h);
    assert.equal(h.read(95, 0)[0]?.state.level, 'H', 'H holds at 95 too');
    assert.equal(hh.read(95, 0)[0]?.priority, 'critical');
    assert.equal(hh.read(85, 100)[0]?.transition, 'clear');
    assert.deepEqual(h.read(85, 100), []);
  });
});
