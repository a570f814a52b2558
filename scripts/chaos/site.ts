/**
 * The plant of a chaos run: a few simulated PLCs whose coils flip every
 * couple of seconds, each with a discrete alarm, so the gateway commits
 * transitions all the time while faults hit it.
 */
import type { ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';

export interface ChaosPlant {
  site: SiteFile;
  devices: SimulatedModbusDevice[];
  /** Holds every value where it is: no more transitions, so the buffer can drain to empty. */
  freeze(): void;
  stop(): Promise<void>;
}

function device(index: number, points: number): ModbusTcpDevice {
  return {
    id: `plc-${index}`,
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    port: 0,
    area: 'chaos',
    line: `line-${index % 2}`,
    asset: `machine-${index}`,
    poll_interval_ms: 100,
    timeout_ms: 500,
    comm_loss_after: 2,
    points: Array.from({ length: points }, (_, point) => ({
      id: `trip_${point}`,
      register: 'coil' as const,
      address: point,
      alarms: [
        {
          id: 'trip',
          kind: 'discrete' as const,
          priority: point % 7 === 0 ? ('critical' as const) : ('medium' as const),
        },
      ],
    })),
  };
}

export async function startChaosPlant(options: {
  devices: number;
  pointsPerDevice: number;
  brokers: string;
  topic: string;
  stateDir: string;
}): Promise<ChaosPlant> {
  const devices: SimulatedModbusDevice[] = [];
  const configs: ModbusTcpDevice[] = [];
  for (let index = 0; index < options.devices; index++) {
    const config = device(index, options.pointsPerDevice);
    const simulated = await SimulatedModbusDevice.start(config, { port: 0 });
    for (const point of config.points) {
      // Periods of 2–5 s with spread phases: a steady stream of raises and clears.
      const period_ms = 2000 + ((index * 31 + Number(point.id.slice(5)) * 17) % 30) * 100;
      simulated.setScenario(point.id, {
        kind: 'square',
        period_ms,
        duty: 0.5,
        phase_ms: (point.address * 211) % period_ms,
      });
    }
    devices.push(simulated);
    configs.push({ ...config, port: simulated.port });
  }
  const site: SiteFile = {
    site: 'chaos-site',
    gateway: {
      id: 'gw-chaos',
      state_dir: options.stateDir,
      kafka: { brokers: options.brokers.split(','), topic: options.topic, partitions: 3 },
    },
    devices: configs,
  };
  return {
    site,
    devices,
    freeze() {
      for (const [index, simulated] of devices.entries()) {
        for (const point of configs[index]?.points ?? []) simulated.setScenario(point.id, { kind: 'stuck' });
      }
    },
    async stop() {
      await Promise.all(devices.map((simulated) => simulated.stop()));
    },
  };
}
