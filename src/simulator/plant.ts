/**
 * Serves a simulated PLC for every Modbus device of a site file, and a
 * simulated publisher (JSON/plain) or Sparkplug B edge node for every MQTT
 * device, on that device's broker.
 */
import type { SiteFile } from '../config/schema.ts';
import { autoScenario } from './auto-scenarios.ts';
import type { DropOut } from './drop-out.ts';
import { SimulatedModbusDevice } from './modbus-server.ts';
import { SimulatedMqttPublisher } from './mqtt-publisher.ts';
import { SimulatedEdgeNode } from './sparkplug-edge-node.ts';

/** Silent for 8 s every 90 s, starting 45 s in: long enough for a communication-loss alarm at usual poll rates. */
const AUTO_DROP_OUT: DropOut = { period_ms: 90_000, silent_ms: 8_000, phase_ms: 45_000 };

export interface SimulatedPlantOptions {
  /** Device id -> port to listen on instead of the site file's; 0 picks a free port. */
  portOverrides?: Record<string, number>;
  /** 'auto' (default): values move so that every alarm raises and clears; 'none': all start at 0 / false. */
  scenarios?: 'auto' | 'none';
  /** Device id -> broker URL to publish to instead of the site file's. */
  brokerOverrides?: Record<string, string>;
  /** Time between two publishes of every point of a simulated MQTT device. */
  mqttIntervalMs?: number;
}

export interface SimulatedPlant {
  readonly devices: Map<string, SimulatedModbusDevice>;
  readonly mqtt: Map<string, SimulatedMqttPublisher | SimulatedEdgeNode>;
  stop(): Promise<void>;
}

export async function startSimulatedPlant(
  site: SiteFile,
  options: SimulatedPlantOptions = {},
): Promise<SimulatedPlant> {
  const devices = new Map<string, SimulatedModbusDevice>();
  const mqtt = new Map<string, SimulatedMqttPublisher | SimulatedEdgeNode>();
  const stop = async () => {
    await Promise.all([...devices.values(), ...mqtt.values()].map((device) => device.stop()));
  };
  try {
    for (const device of site.devices) {
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
        if ((options.scenarios ?? 'auto') === 'auto') {
          for (const point of device.points) simulated.setScenario(point.id, autoScenario(device.id, point));
        }
        continue;
      }
      const port = options.portOverrides?.[device.id];
      const simulated = await SimulatedModbusDevice.start(device, port === undefined ? {} : { port });
      devices.set(device.id, simulated);
      if ((options.scenarios ?? 'auto') === 'auto') {
        for (const point of device.points) simulated.setScenario(point.id, autoScenario(device.id, point));
        // The last device of the site drops out now and then, so communication-loss alarms show too.
        if (device === site.devices.at(-1)) simulated.setDropOut(AUTO_DROP_OUT);
      }
    }
  } catch (error) {
    // A half-started plant would hold ports nobody can close.
    await stop();
    throw error;
  }
  return { devices, mqtt, stop };
}
