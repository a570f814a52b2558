/**
 * A site of 10,000 points with the rules a plant has: limits with deadband
 * and delays on most analog points, rate and deviation alarms on some, a
 * stale check on a few, and alarm words decoded bit by bit; readings that
 * move like process values (noise around a base, a few excursions).
 */
import type { Reading } from '../../src/adapters/reading.ts';
import type { AlarmRule, ModbusPoint, ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';
import { unitNoise } from '../../src/simulator/scenarios.ts';

export const DEVICES = 10;
export const POINTS_PER_DEVICE = 1000;

function rulesOf(index: number): AlarmRule[] {
  const limit: AlarmRule = {
    id: 'limit',
    kind: 'limit',
    deadband: 0.5,
    H: { value: 80, priority: 'high' },
    HH: { value: 90, priority: 'critical' },
    L: { value: 10 },
    on_delay_ms: index % 4 === 0 ? 2000 : 0,
  };
  if (index % 10 === 1)
    return [limit, { id: 'rate', kind: 'rate', rising: { value: 20 }, falling: { value: 20 } }];
  if (index % 10 === 2) {
    return [
      limit,
      { id: 'dev', kind: 'deviation', setpoint_point: 'p0', high: { value: 25 }, low: { value: 25 } },
    ];
  }
  if (index % 10 === 3) return [limit, { id: 'frozen', kind: 'stale', flatline_ms: 600_000 }];
  if (index % 10 === 4) {
    return Array.from({ length: 8 }, (_, bit): AlarmRule => ({ id: `bit${bit}`, kind: 'bit', bit }));
  }
  return [limit];
}

export function alarmSite(): SiteFile {
  const devices: ModbusTcpDevice[] = Array.from({ length: DEVICES }, (_, device) => ({
    id: `plc${device}`,
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    port: 1502 + device,
    area: `area${device % 4}`,
    line: `line${device}`,
    asset: `unit${device}`,
    points: Array.from(
      { length: POINTS_PER_DEVICE },
      (_, index): ModbusPoint => ({
        id: `p${index}`,
        register: 'holding',
        address: index,
        alarms: rulesOf(index),
      }),
    ),
  }));
  return { site: 'bench', gateway: { id: 'gw-bench' }, devices };
}

/** The readings of one poll of every point at step `step`: noise around 50, a rare excursion past H. */
export function pollOf(step: number, time: number): Reading[] {
  const readings: Reading[] = [];
  for (let device = 0; device < DEVICES; device++) {
    for (let index = 0; index < POINTS_PER_DEVICE; index++) {
      const seed = device * POINTS_PER_DEVICE + index;
      const excursion = unitNoise(seed, Math.floor(step / 50)) > 0.98 ? 40 : 0;
      const value =
        index % 10 === 4
          ? unitNoise(seed, step) > 0.99
            ? 1 << (seed % 8)
            : 0
          : 50 + 10 * unitNoise(seed, step) + excursion;
      readings.push({
        deviceId: `plc${device}`,
        pointId: `p${index}`,
        value,
        quality: 'good',
        gatewayTime: time,
      });
    }
  }
  return readings;
}
