/**
 * Telegraf's configuration for a footprint case: one modbus input per
 * simulated PLC, reading the same holding registers as the gateway's site
 * file (request mode, merged reads like the gateway's planner), and a kafka
 * output to the same broker on a topic of its own, one record per metric.
 */
import type { ModbusTcpDevice } from '../../src/config/schema.ts';

export interface TelegrafPlan {
  devices: readonly ModbusTcpDevice[];
  ports: readonly number[];
  intervalMs: number;
  brokers: string;
  topic: string;
}

/** The gateway's planner bridges gaps of up to 8 registers by default; Telegraf is told the same. */
const MAX_REGISTER_FILL = 8;

function str(value: string): string {
  return JSON.stringify(value);
}

function input(device: ModbusTcpDevice, port: number): string {
  const fields = device.points.map(
    (point) => `      { address = ${point.address}, name = ${str(point.id)}, type = "INT16" },`,
  );
  return [
    '[[inputs.modbus]]',
    `  name = ${str(device.id)}`,
    `  slave_id = ${device.unit_id ?? 1}`,
    `  timeout = "${device.timeout_ms ?? 1000}ms"`,
    `  controller = "tcp://127.0.0.1:${port}"`,
    '  configuration_type = "request"',
    '  [[inputs.modbus.request]]',
    `    slave_id = ${device.unit_id ?? 1}`,
    '    byte_order = "ABCD"',
    '    register = "holding"',
    '    measurement = "modbus"',
    // max_insert merges neighbouring registers into reads of up to 125, as the gateway does; Telegraf 1.37
    // refuses it unless the fill is set explicitly.
    '    optimization = "max_insert"',
    `    optimization_max_register_fill = ${MAX_REGISTER_FILL}`,
    '    fields = [',
    ...fields,
    '    ]',
  ].join('\n');
}

export function telegrafConfig(plan: TelegrafPlan): string {
  const brokers = plan.brokers.split(',').map(str).join(', ');
  return [
    '[agent]',
    `  interval = "${plan.intervalMs}ms"`,
    '  round_interval = true',
    '  collection_jitter = "0s"',
    // Sent within a second like the gateway's events, not after Telegraf's default 10 s.
    '  flush_interval = "1s"',
    '  flush_jitter = "0s"',
    '  metric_batch_size = 1000',
    '  metric_buffer_limit = 10000',
    '  omit_hostname = true',
    '',
    '[[outputs.kafka]]',
    `  brokers = [${brokers}]`,
    `  topic = ${str(plan.topic)}`,
    '  required_acks = -1',
    '  data_format = "influx"',
    '',
    ...plan.devices.map((device, i) => input(device, plan.ports[i] ?? 0)),
    '',
  ].join('\n');
}
