import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { LimitRule, ModbusPoint, SiteFile } from '../../src/config/schema.ts';
import { autoScenario } from '../../src/simulator/auto-scenarios.ts';
import { valueAt } from '../../src/simulator/scenarios.ts';

const site = parse(readFileSync(new URL('../../devices/plant.yaml', import.meta.url), 'utf8')) as SiteFile;
const points = site.devices.flatMap((device) =>
  device.points.map((point) => ({ deviceId: device.id, point })),
);

function point(overrides: Partial<ModbusPoint>): ModbusPoint {
  return { id: 'p', register: 'holding', address: 0, ...overrides };
}

/** Samples one full period every 10 ms. */
function samples(
  scenario: ReturnType<typeof autoScenario>,
  periodMs: number,
): { t: number; value: unknown }[] {
  return Array.from({ length: periodMs / 10 }, (_, i) => ({ t: i * 10, value: valueAt(scenario, i * 10) }));
}

/** Longest stretch (ms) of consecutive samples that satisfy the condition, wrapping around the period. */
function longestRun(values: readonly unknown[], holds: (value: unknown) => boolean): number {
  let best = 0;
  let run = 0;
  for (const value of [...values, ...values]) {
    run = holds(value) ? run + 1 : 0;
    best = Math.max(best, Math.min(run, values.length));
  }
  return best * 10;
}

describe('auto scenarios for the example plant', () => {
  test('the example has points of every kind', () => {
    const kinds = new Set(points.map(({ deviceId, point }) => autoScenario(deviceId, point).kind));
    assert.deepEqual([...kinds].sort(), ['noise', 'ramp', 'square']);
  });

  for (const { deviceId, point: p } of points) {
    test(`${deviceId}/${p.id} raises and clears its alarms within 20-40 s`, () => {
      const scenario = autoScenario(deviceId, p);
      if (scenario.kind === 'noise') {
        assert.equal(p.alarms, undefined);
        return;
      }
      assert.ok(scenario.kind === 'ramp' || scenario.kind === 'square');
      assert.ok(scenario.period_ms >= 20_000 && scenario.period_ms <= 40_000, `period ${scenario.period_ms}`);
      const values = samples(scenario, scenario.period_ms).map((s) => s.value);

      for (const rule of p.alarms ?? []) {
        const onDelay = rule.on_delay_ms ?? 0;
        const offDelay = rule.off_delay_ms ?? 0;
        if (rule.kind === 'discrete') {
          const alarmWhen = rule.alarm_when ?? true;
          assert.ok(longestRun(values, (v) => v === alarmWhen) > onDelay + 1000, 'in alarm long enough');
          assert.ok(longestRun(values, (v) => v !== alarmWhen) > offDelay + 1000, 'out of alarm long enough');
          continue;
        }
        const limits = rule as LimitRule;
        const deadband = limits.deadband ?? 0;
        for (const level of ['HH', 'H'] as const) {
          const setting = limits[level];
          if (setting === undefined) continue;
          const beyond = longestRun(values, (v) => (v as number) > setting.value);
          assert.ok(beyond > onDelay + 1000, `${level} ${setting.value} held ${beyond} ms`);
          assert.ok(longestRun(values, (v) => (v as number) < setting.value - deadband) > offDelay + 1000);
        }
        for (const level of ['LL', 'L'] as const) {
          const setting = limits[level];
          if (setting === undefined) continue;
          const beyond = longestRun(values, (v) => (v as number) < setting.value);
          assert.ok(beyond > onDelay + 1000, `${level} ${setting.value} held ${beyond} ms`);
          assert.ok(longestRun(values, (v) => (v as number) > setting.value + deadband) > offDelay + 1000);
        }
      }
    });
  }

  test('points do not move in step', () => {
    const timings = points.map(({ deviceId, point: p }) => {
      const scenario = autoScenario(deviceId, p);
      return 'period_ms' in scenario ? `${scenario.period_ms}/${scenario.phase_ms}` : `noise ${p.id}`;
    });
    assert.equal(new Set(timings).size, timings.length);
  });

  test('the same point always gets the same scenario', () => {
    for (const { deviceId, point: p } of points)
      assert.deepEqual(autoScenario(deviceId, p), autoScenario(deviceId, p));
  });
});

describe('auto scenarios by rule', () => {
  test('a single high limit ramps across it', () => {
    const scenario = autoScenario('d', point({ alarms: [{ id: 'a', kind: 'limit', H: { value: 250 } }] }));
    assert.equal(scenario.kind, 'ramp');
    if (scenario.kind !== 'ramp') return;
    assert.ok(scenario.min < 250 && scenario.max > 250);
  });
  test('several limit rules: from below the lowest to above the highest', () => {
    const scenario = autoScenario(
      'd',
      point({
        alarms: [
          { id: 'low', kind: 'limit', LL: { value: -10 } },
          { id: 'high', kind: 'limit', HH: { value: 90, deadband: 5 } },
        ],
      }),
    );
    assert.equal(scenario.kind, 'ramp');
    if (scenario.kind !== 'ramp') return;
    assert.ok(scenario.min < -10 && scenario.max > 100, JSON.stringify(scenario));
  });
  test('a discrete alarm on false spends most time true', () => {
    const scenario = autoScenario(
      'd',
      point({ register: 'discrete', alarms: [{ id: 'a', kind: 'discrete', alarm_when: false }] }),
    );
    assert.equal(scenario.kind, 'square');
    if (scenario.kind !== 'square') return;
    assert.ok((scenario.duty ?? 0.5) > 0.5);
  });
  test('a bit of a register counts as boolean', () => {
    assert.equal(autoScenario('d', point({ type: 'bit', bit: 2 })).kind, 'square');
  });
  test('numbers without alarms get gentle noise around a plausible value', () => {
    const scenario = autoScenario('d', point({ unit: 'degC' }));
    assert.equal(scenario.kind, 'noise');
    if (scenario.kind !== 'noise') return;
    assert.ok(scenario.amplitude < scenario.base * 0.1);
    assert.equal(autoScenario('d', point({ unit: 'furlongs' })).kind, 'noise');
  });
});
