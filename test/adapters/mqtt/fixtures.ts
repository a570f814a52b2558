/** Shared pieces of the MQTT adapter tests: a device, a link that records, a log that is kept, a publisher. */
import type { PushLink } from '../../../src/adapters/adapter.ts';
import { connectMqtt, type MqttConnection } from '../../../src/adapters/mqtt/client.ts';
import type { Reading } from '../../../src/adapters/reading.ts';
import type { MqttDevice } from '../../../src/config/schema.ts';
import { createLogger, type Logger } from '../../../src/telemetry/logger.ts';

export function jsonDevice(url: string, overrides: Partial<MqttDevice> = {}): MqttDevice {
  return {
    id: 'sensors',
    protocol: 'mqtt',
    url,
    area: 'utilities',
    line: 'water',
    asset: 'tank-1',
    connect_timeout_ms: 2000,
    points: [
      {
        id: 'level',
        format: 'json',
        topic: 'plant/tank-1/level',
        value_path: 'value',
        timestamp_path: 'ts',
        quality_path: 'q',
      },
      { id: '{asset}.temp', format: 'plain', topic: 'plant/+asset/temp' },
      { id: 'running', format: 'plain', topic: 'plant/pump-1/running', type: 'boolean' },
    ],
    ...overrides,
  };
}

/** Records what the adapter hands to the runner; `accept` decides what deliver answers. */
export class RecordingLink implements PushLink {
  readonly readings: Reading[] = [];
  readonly links: { up: boolean; detail: string }[] = [];
  accept: (readings: readonly Reading[]) => boolean = () => true;

  deliver(readings: readonly Reading[]): boolean {
    if (!this.accept(readings)) return false;
    this.readings.push(...readings);
    return true;
  }

  link(up: boolean, detail: string): void {
    this.links.push({ up, detail });
  }

  values(pointId: string): unknown[] {
    return this.readings.filter((reading) => reading.pointId === pointId).map((reading) => reading.value);
  }
}

export interface KeptLog {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function keptLog(): KeptLog {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

export async function publisher(
  url: string,
  credentials: { username?: string; password?: string } = {},
  clientId = `pub-${process.pid}-${Math.random().toString(16).slice(2)}`,
): Promise<MqttConnection> {
  return connectMqtt(
    { url, clientId, clean: true, keepaliveS: 30, connectTimeoutMs: 2000, ...credentials },
    () => true,
  );
}

export const text = (value: string) => new TextEncoder().encode(value);
