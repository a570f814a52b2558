/**
 * The plant of the latency run: a few PLCs whose holding registers are all
 * alarmed int16 points, each with a high limit at 100 and resting at 0, so a
 * single write decides exactly one raise or one clear.
 */
import type { ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';

export const LIMIT = 100;
export const IN_ALARM = 150;
export const AT_REST = 0;

export function latencyDevice(index: number, points: number, pollIntervalMs: number): ModbusTcpDevice {
  return {
    id: `plc-${index}`,
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    port: 0,
    area: 'bench',
    line: `line-${index}`,
    asset: `machine-${index}`,
    poll_interval_ms: pollIntervalMs,
    timeout_ms: 1000,
    points: Array.from({ length: points }, (_, address) => ({
      id: `p${address}`,
      register: 'holding' as const,
      address,
      type: 'int16' as const,
      unit: 'degC',
      alarms: [
        { id: 'high', kind: 'limit' as const, deadband: 1, H: { value: LIMIT, priority: 'high' as const } },
      ],
    })),
  };
}

export function latencySite(options: {
  devices: readonly ModbusTcpDevice[];
  stateDir: string;
  brokers: string;
  topic: string;
}): SiteFile {
  return {
    site: 'bench-site',
    gateway: {
      id: 'gw-bench',
      state_dir: options.stateDir,
      kafka: { brokers: options.brokers.split(','), topic: options.topic },
    },
    devices: [...options.devices],
  };
}
