/**
 * A small two-device site for integration tests: a press (limit and discrete
 * alarms) and a pump (a low limit), each behind its own simulated PLC on a free
 * loopback port, polled fast so tests run in seconds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';

export interface TestSite {
  site: SiteFile;
  file: string;
  press: SimulatedModbusDevice;
  pump: SimulatedModbusDevice;
  stopPlant(): Promise<void>;
}

export interface TestSiteOptions {
  dir: string;
  brokers: string;
  topic: string;
  gatewayId?: string;
  batchMaxEvents?: number;
  /** Changes to the site before its file is written, for what one test needs. */
  customize?: (site: SiteFile) => SiteFile;
}

const press: ModbusTcpDevice = {
  id: 'press-plc',
  protocol: 'modbus-tcp',
  host: '127.0.0.1',
  port: 0,
  area: 'forming',
  line: 'line-1',
  asset: 'press-1',
  poll_interval_ms: 50,
  timeout_ms: 300,
  comm_loss_after: 2,
  points: [
    {
      id: 'oil_temperature',
      register: 'holding',
      address: 0,
      type: 'float32',
      unit: 'degC',
      alarms: [
        {
          id: 'temperature',
          kind: 'limit',
          deadband: 1,
          HH: { value: 90, priority: 'critical' },
          H: { value: 80, priority: 'high' },
        },
      ],
    },
    {
      id: 'guard_open',
      register: 'coil',
      address: 0,
      alarms: [{ id: 'guard', kind: 'discrete', priority: 'medium' }],
    },
  ],
};

const pump: ModbusTcpDevice = {
  id: 'pump-plc',
  protocol: 'modbus-tcp',
  host: '127.0.0.1',
  port: 0,
  area: 'utilities',
  line: 'water',
  asset: 'pump-1',
  poll_interval_ms: 50,
  timeout_ms: 300,
  comm_loss_after: 2,
  points: [
    {
      id: 'flow',
      register: 'input',
      address: 0,
      type: 'int16',
      scale: 0.1,
      unit: 'm3/h',
      alarms: [{ id: 'low_flow', kind: 'limit', deadband: 0.5, L: { value: 5, priority: 'low' } }],
    },
  ],
};

/** Starts both simulated PLCs (values at rest: no alarm) and writes the site file that points at them. */
export async function startTestSite(options: TestSiteOptions): Promise<TestSite> {
  const pressSim = await SimulatedModbusDevice.start(press, { port: 0 });
  const pumpSim = await SimulatedModbusDevice.start(pump, { port: 0 });
  pressSim.set('oil_temperature', 60);
  pressSim.set('guard_open', false);
  pumpSim.set('flow', 20);
  const written: SiteFile = {
    site: 'test-site',
    gateway: {
      id: options.gatewayId ?? 'gw-test',
      state_dir: join(options.dir, 'state'),
      // A free port each: test gateways run side by side.
      listener: { port: 0 },
      kafka: {
        brokers: options.brokers.split(','),
        topic: options.topic,
        partitions: 3,
        ...(options.batchMaxEvents ? { batch_max_events: options.batchMaxEvents } : {}),
      },
    },
    devices: [
      { ...press, port: pressSim.port },
      { ...pump, port: pumpSim.port },
    ],
  };
  const site = options.customize ? options.customize(written) : written;
  const file = join(options.dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  return {
    site,
    file,
    press: pressSim,
    pump: pumpSim,
    async stopPlant() {
      await Promise.all([pressSim.stop(), pumpSim.stop()]);
    },
  };
}
