/** The real Modbus adapter (planner on) behind the same small interface as the stand-in without planning. */
import { createModbusAdapter } from '../../src/adapters/modbus/adapter.ts';
import type { ModbusTcpDevice } from '../../src/config/schema.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import type { Poller } from './unplanned-poll.ts';

export async function connectPlanned(device: ModbusTcpDevice, port: number, logger: Logger): Promise<Poller> {
  const adapter = createModbusAdapter({ ...device, port }, logger);
  const session = await adapter.connect();
  return {
    requestsPerPoll: adapter.plan.length,
    registersPerPoll: adapter.plan.reduce((sum, request) => sum + request.count, 0),
    poll: () => session.poll(),
    close: () => session.close(),
  };
}
