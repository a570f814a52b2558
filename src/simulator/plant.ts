/**
 * Serves a simulated PLC for every device of a site file: a Modbus TCP
 * server, a unit on a simulated serial line (Modbus RTU, over a
 * pseudo-terminal pair at the device's port path), an OPC UA server, or for
 * an MQTT device a publisher (JSON/plain) or a Sparkplug B edge node on that
 * device's broker.
 */
import { join } from 'node:path';
import { resolveUser } from '../adapters/opcua/credentials.ts';
import type { ModbusRtuDevice, OpcuaDevice, SiteFile } from '../config/schema.ts';
import { autoScenario } from './auto-scenarios.ts';
import type { DropOut } from './drop-out.ts';
import { SimulatedRtuLine } from './modbus-rtu-line.ts';
import { SimulatedModbusDevice } from './modbus-server.ts';
import { SimulatedMqttPublisher } from './mqtt-publisher.ts';
import { type SimulatedCondition, SimulatedOpcuaServer } from './opcua-server.ts';
import { PtyPair } from './pty-pair.ts';
import { SimulatedEdgeNode } from './sparkplug-edge-node.ts';

/** Silent for 8 s every 90 s, starting 45 s in: long enough for a communication-loss alarm at usual poll rates. */
const AUTO_DROP_OUT: DropOut = { period_ms: 90_000, silent_ms: 8_000, phase_ms: 45_000 };

export interface SimulatedPlantOptions {
  /** Device id -> port to listen on instead of the site file's; 0 picks a free port. */
  portOverrides?: Record<string, number>;
  /** 'auto' (default): values move so that every alarm raises and clears; 'none': all start at 0 / false. */
  scenarios?: 'auto' | 'none';
  /** Where simulated OPC UA servers keep their certificates (one folder per device), so they survive a restart of the simulator. */
  opcuaPkiDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Device id -> broker URL to publish to instead of the site file's. */
  brokerOverrides?: Record<string, string>;
  /** Time between two publishes of every point of a simulated MQTT device. */
  mqttIntervalMs?: number;
}

/** A simulated serial line: the gateway opens `pty.gatewayEnd`, which is the devices' serial port path. */
export interface SimulatedSerialLine {
  readonly pty: PtyPair;
  readonly line: SimulatedRtuLine;
}

export interface SimulatedPlant {
  /** Modbus devices, TCP and RTU alike. */
  readonly devices: Map<string, SimulatedModbusDevice>;
  readonly serialLines: SimulatedSerialLine[];
  readonly opcua: Map<string, SimulatedOpcuaServer>;
  readonly mqtt: Map<string, SimulatedMqttPublisher | SimulatedEdgeNode>;
  stop(): Promise<void>;
}

export async function startSimulatedPlant(
  site: SiteFile,
  options: SimulatedPlantOptions = {},
): Promise<SimulatedPlant> {
  const devices = new Map<string, SimulatedModbusDevice>();
  const opcua = new Map<string, SimulatedOpcuaServer>();
  const mqtt = new Map<string, SimulatedMqttPublisher | SimulatedEdgeNode>();
  const serialLines: SimulatedSerialLine[] = [];
  const stop = async () => {
    await Promise.all(
      [...devices.values(), ...opcua.values(), ...mqtt.values()].map((device) => device.stop()),
    );
    await Promise.all(serialLines.map(({ line, pty }) => line.stop().finally(() => pty.close())));
  };
  const rtuByPort = new Map<string, ModbusRtuDevice[]>();
  const auto = (options.scenarios ?? 'auto') === 'auto';
  try {
    for (const device of site.devices) {
      if (device.protocol === 'opcua') {
        const simulated = await startOpcua(device, options);
        opcua.set(device.id, simulated);
        if (auto)
          for (const point of device.points) simulated.setScenario(point.id, autoScenario(device.id, point));
        continue;
      }
      if (device.protocol === 'mqtt') {
        const url = options.brokerOverrides?.[device.id];
        const simOptions = {
          gatewayId: site.gateway.id,
          ...(url === undefined ? {} : { url }),
          ...(options.mqttIntervalMs === undefined ? {} : { intervalMs: options.mqttIntervalMs }),
        };
        const simulated = device.sparkplug
          ? await SimulatedEdgeNode.start(device, simOptions)
          : await SimulatedMqttPublisher.start(device, simOptions);
        mqtt.set(device.id, simulated);
        if (auto)
          for (const point of device.points) simulated.setScenario(point.id, autoScenario(device.id, point));
        continue;
      }
      if (device.protocol === 'modbus-rtu') {
        rtuByPort.set(device.serial.port, [...(rtuByPort.get(device.serial.port) ?? []), device]);
        continue;
      }
      const port = options.portOverrides?.[device.id];
      const simulated = await SimulatedModbusDevice.start(device, port === undefined ? {} : { port });
      devices.set(device.id, simulated);
      if (auto) {
        for (const point of device.points) simulated.setScenario(point.id, autoScenario(device.id, point));
        // The last device of the site drops out now and then, so communication-loss alarms show too.
        if (device === site.devices.at(-1)) simulated.setDropOut(AUTO_DROP_OUT);
      }
    }
    for (const [port, onLine] of rtuByPort) {
      const pty = await PtyPair.open(port, `${port}.plc`);
      const line = await SimulatedRtuLine.start(pty.deviceEnd, onLine).catch(async (error: unknown) => {
        await pty.close();
        throw error;
      });
      serialLines.push({ pty, line });
      for (const [id, unit] of line.devices) {
        devices.set(id, unit);
        if (auto) for (const point of unit.device.points) unit.setScenario(point.id, autoScenario(id, point));
      }
    }
  } catch (error) {
    // A half-started plant would hold ports nobody can close.
    await stop();
    throw error;
  }
  return { devices, serialLines, opcua, mqtt, stop };
}

/** Serves the device's endpoint port, with an account for the user the device logs in as (when its secret is at hand). */
function startOpcua(device: OpcuaDevice, options: SimulatedPlantOptions): Promise<SimulatedOpcuaServer> {
  const override = options.portOverrides?.[device.id];
  const port = override ?? Number(new URL(device.endpoint.replace(/^opc\.tcp:/, 'http:')).port || 4840);
  let users: { username: string; password: string }[] = [];
  try {
    const user = resolveUser(device.user, options.env ?? process.env);
    if (user.kind === 'username') users = [{ username: user.username, password: user.password }];
  } catch {
    // No secret at hand: the server accepts anonymous sessions only.
  }
  return SimulatedOpcuaServer.start(device, {
    port,
    users,
    conditions: device.native_conditions === undefined ? [] : conditionsOf(device),
    ...(options.opcuaPkiDir === undefined ? {} : { pkiDir: join(options.opcuaPkiDir, device.id) }),
  });
}

/** A device that passes on the server's own alarms gets one server-side level alarm per point with H and L limits. */
function conditionsOf(device: OpcuaDevice): SimulatedCondition[] {
  return device.points.flatMap((point) => {
    const rule = point.alarms?.find((alarm) => alarm.kind === 'limit');
    if (point.type === 'bool' || rule?.kind !== 'limit') return [];
    const high = rule.H?.value ?? rule.HH?.value;
    const low = rule.L?.value ?? rule.LL?.value;
    if (high === undefined && low === undefined) return [];
    return [
      {
        pointId: point.id,
        highLimit: high ?? Number.MAX_VALUE,
        lowLimit: low ?? -Number.MAX_VALUE,
        ...(rule.HH && rule.H ? { highHighLimit: rule.HH.value } : {}),
        ...(rule.LL && rule.L ? { lowLowLimit: rule.LL.value } : {}),
      },
    ];
  });
}
