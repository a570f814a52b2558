/**
 * Where a simulated MQTT device publishes a point: the concrete topic for
 * the point's filter (a named level takes the device's value of that name,
 * e.g. +asset the asset, or the level's name), the point id it yields, and
 * the payload in the point's format. Pure.
 */
import type { PointValue } from '../adapters/reading.ts';
import type { MqttDevice, MqttJsonPoint, MqttPlainPoint } from '../config/schema.ts';
import { fillTemplate, parseTopicFilter } from '../config/topic-filters.ts';

export function concreteTopic(
  device: MqttDevice,
  point: MqttPlainPoint | MqttJsonPoint,
): { topic: string; pointId: string } {
  const parsed = parseTopicFilter(point.topic);
  if ('problem' in parsed) throw new Error(`point ${point.id}: ${parsed.problem}`);
  const bound: Record<string, string> = {};
  const levels = parsed.levels.map((level) => {
    if (level.kind === 'literal') return level.text;
    if (level.kind === 'rest') return 'value';
    const text = level.name === undefined ? 'any' : levelValue(device, level.name);
    if (level.name !== undefined) bound[level.name] = text;
    return text;
  });
  return { topic: levels.join('/'), pointId: fillTemplate(point.id, bound) };
}

function levelValue(device: MqttDevice, name: string): string {
  if (name === 'asset') return device.asset;
  if (name === 'line') return device.line;
  if (name === 'area') return device.area;
  return name;
}

export function payloadOf(point: MqttPlainPoint | MqttJsonPoint, value: PointValue, at: number): Uint8Array {
  if (point.format === 'plain') return new TextEncoder().encode(String(value));
  const document: Record<string, unknown> = {};
  place(document, point.value_path, value);
  if (point.timestamp_path !== undefined) place(document, point.timestamp_path, at);
  if (point.quality_path !== undefined) place(document, point.quality_path, 'good');
  return new TextEncoder().encode(JSON.stringify(document));
}

function place(document: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = document;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) as string] = value;
}
