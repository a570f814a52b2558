import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { pointKey } from '../../src/alarms/definition.ts';
import { evaluate } from '../../src/alarms/engine.ts';
import { initialState } from '../../src/alarms/state.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { GatewayError } from '../../src/system/errors.ts';

function plant(): SiteFile {
  return parse(readFileSync(new URL('../../devices/plant.yaml', import.meta.url), 'utf8')) as SiteFile;
}

describe('compileAlarms on devices/plant.yaml', () => {
  const compiled = compileAlarms(plant());

  test('one definition per rule, one communication alarm per device', () => {
    assert.deepEqual(
      compiled.all.map((def) => def.conditionId),
      [
        'demo-plant/utilities/steam/boiler-1/drum_pressure/pressure',
        'demo-plant/utilities/steam/boiler-1/steam_temperature/temperature',
        'demo-plant/utilities/steam/boiler-1/burner_trip/trip',
        'demo-plant/utilities/steam/boiler-1/flame_failure/flame',
        'demo-plant/utilities/steam/boiler-1/boiler-plc/comm_loss',
        'demo-plant/utilities/steam/feedwater-1/tank_level/level',
        'demo-plant/utilities/steam/feedwater-1/feedwater-ua/comm_loss',
        'demo-plant/utilities/compressed-air/compressor-1/discharge_pressure/pressure',
        'demo-plant/utilities/compressed-air/compressor-1/motor_current/overload',
        'demo-plant/utilities/compressed-air/compressor-1/compressor-plc/comm_loss',
      ],
    );
  });

  test('points are keyed by device and point; points without alarms are absent', () => {
    assert.deepEqual(
      [...compiled.byPoint.keys()],
      [
        'boiler-plc/drum_pressure',
        'boiler-plc/steam_temperature',
        'boiler-plc/burner_trip',
        'boiler-plc/flame_failure',
        'feedwater-ua/tank_level',
        'compressor-plc/discharge_pressure',
        'compressor-plc/motor_current',
      ],
    );
    assert.equal(compiled.byPoint.get(pointKey('boiler-plc', 'feed_water_flow')), undefined);
  });

  test('a limit definition carries its place, unit and rule', () => {
    const [drum] = compiled.byPoint.get(pointKey('boiler-plc', 'drum_pressure')) ?? [];
    assert.deepEqual(drum, {
      gatewayId: 'gw-demo-01',
      site: 'demo-plant',
      area: 'utilities',
      line: 'steam',
      device: 'boiler-plc',
      conditionId: 'demo-plant/utilities/steam/boiler-1/drum_pressure/pressure',
      kind: 'limit',
      rule: {
        id: 'pressure',
        kind: 'limit',
        deadband: 0.2,
        on_delay_ms: 1000,
        HH: { value: 12, priority: 'critical' },
        H: { value: 10, priority: 'high' },
        L: { value: 2, priority: 'medium' },
        LL: { value: 1, priority: 'high' },
      },
      asset: 'boiler-1',
      point: 'drum_pressure',
      unit: 'bar',
      chatter: { max_raises: 5, window_ms: 60000 },
    });
  });

  test('a point without a unit has no unit', () => {
    const [trip] = compiled.byPoint.get(pointKey('boiler-plc', 'burner_trip')) ?? [];
    assert.equal(trip?.kind, 'discrete');
    assert.equal('unit' in (trip ?? {}), false);
  });

  test('communication alarms are discrete rules on the device, high priority by default', () => {
    const comm = compiled.commByDevice.get('compressor-plc');
    assert.deepEqual(comm, {
      gatewayId: 'gw-demo-01',
      site: 'demo-plant',
      area: 'utilities',
      line: 'compressed-air',
      device: 'compressor-plc',
      asset: 'compressor-1',
      point: 'compressor-plc',
      conditionId: 'demo-plant/utilities/compressed-air/compressor-1/compressor-plc/comm_loss',
      kind: 'comm',
      rule: { id: 'comm_loss', kind: 'discrete', alarm_when: true, priority: 'high' },
    });
  });

  test('compiled definitions run through the engine: the drum pressure HH alarm', () => {
    const [drum] = compiled.byPoint.get(pointKey('boiler-plc', 'drum_pressure')) ?? [];
    assert.ok(drum);
    const reading = {
      deviceId: 'boiler-plc',
      pointId: 'drum_pressure',
      value: 12.4,
      quality: 'good' as const,
    };
    const first = evaluate(drum, initialState(drum), { ...reading, gatewayTime: 0 }, 0, () => 'a');
    const { events } = evaluate(drum, first.state, { ...reading, gatewayTime: 1000 }, 1000, () => 'b');
    assert.equal(events[0]?.message, 'boiler-1 drum_pressure HH alarm: 12.4 bar (limit 12)');
    assert.equal(events[0]?.reason.text, 'value 12.4 >= HH limit 12 for 1000 ms (on-delay 1000 ms)');
    assert.equal(events[0]?.priority, 'critical');
  });
});

describe('compileAlarms on edited sites', () => {
  test("a point's asset overrides the device's, for that point only", () => {
    const site = plant();
    const boiler = site.devices[0];
    assert.ok(boiler);
    const [drum, temperature] = boiler.points;
    assert.ok(drum && temperature);
    drum.asset = 'drum-1';
    const compiled = compileAlarms(site);
    assert.equal(compiled.byPoint.get(pointKey('boiler-plc', 'drum_pressure'))?.[0]?.asset, 'drum-1');
    assert.equal(
      compiled.byPoint.get(pointKey('boiler-plc', 'drum_pressure'))?.[0]?.conditionId,
      'demo-plant/utilities/steam/drum-1/drum_pressure/pressure',
    );
    assert.equal(compiled.byPoint.get(pointKey('boiler-plc', 'steam_temperature'))?.[0]?.asset, 'boiler-1');
    assert.equal(compiled.commByDevice.get('boiler-plc')?.asset, 'boiler-1');
  });

  test('comm_priority sets the priority of the communication alarm', () => {
    const site = plant();
    const boiler = site.devices[0];
    assert.ok(boiler);
    boiler.comm_priority = 'critical';
    assert.equal(compileAlarms(site).commByDevice.get('boiler-plc')?.rule.priority, 'critical');
  });

  test('two alarms with one condition id are refused, naming both', () => {
    const site = plant();
    const boiler = site.devices.find((device) => device.id === 'boiler-plc');
    const compressor = site.devices.find((device) => device.id === 'compressor-plc');
    assert.ok(boiler && compressor);
    // The compressor moves onto the boiler's asset with a point named like the boiler's.
    Object.assign(compressor, { line: 'steam', asset: 'boiler-1' });
    const [discharge] = compressor.points;
    assert.ok(discharge);
    discharge.id = 'drum_pressure';
    assert.throws(
      () => compileAlarms(site),
      (error: unknown) =>
        error instanceof GatewayError &&
        error.code === 'CONFIG_REFERENCE' &&
        error.message.includes('demo-plant/utilities/steam/boiler-1/drum_pressure/pressure') &&
        error.message.includes('device boiler-plc') &&
        error.message.includes('device compressor-plc'),
    );
  });

  test('a site without any rule still gets its communication alarms', () => {
    const site = plant();
    for (const device of site.devices) for (const point of device.points) delete point.alarms;
    const compiled = compileAlarms(site);
    assert.equal(compiled.byPoint.size, 0);
    assert.deepEqual(
      compiled.all.map((def) => def.kind),
      ['comm', 'comm', 'comm'],
    );
  });
});
