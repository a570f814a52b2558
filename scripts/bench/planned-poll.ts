/** The real Modbus driver (planner on) behind the same small interface as the stand-in without planning. */
import { createModbusDriver } from '../../src/adapters/modbus/driver.ts';
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import type { Poller } from './unplanned-poll.ts';

export async function connectPlanned(device: ModbusTcpDevice, port: number, logger: Logger): Promise<Poller> {
  const driver = createModbusDriver({ ...device, port }, logger);
  const session = await driver.connect();
  return {
    requestsPerPoll: driver.plan.length,
    registersPerPoll: driver.plan.reduce((sum, request) => sum + request.count, 0),
    poll: () => session.poll(),
    close: () => session.close(),
  };
}
