/**
 * The two kinds of device a read-rate run polls: the project's simulated PLC
 * on the polling thread, and the minimal responder on a worker thread.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';

export type DeviceKind = 'simulator' | 'responder';

export interface RunningDevice {
  port: number;
  stop(): Promise<void>;
}

export async function startDevice(device: ModbusTcpDevice, kind: DeviceKind): Promise<RunningDevice> {
  if (kind === 'simulator') {
    const simulator = await SimulatedModbusDevice.start(device, { port: 0, host: '127.0.0.1' });
    return { port: simulator.port, stop: () => simulator.stop() };
  }
  const worker = new Worker(new URL('./responder-worker.ts', import.meta.url));
  const [ready] = (await once(worker, 'message')) as [{ port: number }];
  return {
    port: ready.port,
    async stop() {
      const exited = once(worker, 'exit');
      worker.postMessage('stop');
      await exited;
    },
  };
}
