/** Sparkplug B topic namespace: spBv1.0/<group>/<message type>/<edge node>[/<device>]. */
import type { SparkplugSource } from '../../config/schema.ts';

export const NAMESPACE = 'spBv1.0';

const MESSAGE_TYPES = [
  'NBIRTH',
  'NDEATH',
  'NDATA',
  'NCMD',
  'DBIRTH',
  'DDEATH',
  'DDATA',
  'DCMD',
  'STATE',
] as const;
export type SparkplugMessageType = (typeof MESSAGE_TYPES)[number];

export interface SparkplugTopic {
  readonly group: string;
  readonly type: SparkplugMessageType;
  readonly node: string;
  readonly device?: string;
}

export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const [namespace, group, type, node, device, ...rest] = topic.split('/');
  if (namespace !== NAMESPACE || !group || !node || rest.length > 0) return undefined;
  if (!(MESSAGE_TYPES as readonly string[]).includes(type ?? '')) return undefined;
  const isDeviceType = type?.startsWith('D') ?? false;
  if (isDeviceType !== (device !== undefined && device !== '')) return undefined;
  return { group, type: type as SparkplugMessageType, node, ...(device ? { device } : {}) };
}

/** Every message of the edge node and its devices: the sequence number spans all of them. */
export function sparkplugSubscriptions(source: SparkplugSource): string[] {
  const base = `${NAMESPACE}/${source.group_id}`;
  return [`${base}/+/${source.edge_node_id}`, `${base}/+/${source.edge_node_id}/+`];
}

export function sparkplugTopic(source: SparkplugSource, type: SparkplugMessageType, device?: string): string {
  const base = `${NAMESPACE}/${source.group_id}/${type}/${source.edge_node_id}`;
  return device === undefined ? base : `${base}/${device}`;
}

export const REBIRTH_METRIC = 'Node Control/Rebirth';
export const BDSEQ_METRIC = 'bdSeq';
