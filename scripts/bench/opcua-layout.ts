/** The OPC UA device of the benchmark: N numeric points in one namespace, all sampled at one interval. */
import type { OpcuaDevice } from '../../src/config/schema.ts';

export const BENCH_NAMESPACE = 'urn:edge-alarm-gateway:bench';

export function benchOpcuaDevice(
  points: number,
  samplingMs: number,
  endpoint = 'opc.tcp://127.0.0.1:4840',
): OpcuaDevice {
  return {
    id: 'bench-ua',
    protocol: 'opcua',
    endpoint,
    security_mode: 'None',
    area: 'bench',
    line: 'bench',
    asset: 'bench',
    publishing_interval_ms: samplingMs,
    sampling_interval_ms: samplingMs,
    keepalive_ms: 10_000,
    timeout_ms: 10_000,
    points: Array.from({ length: points }, (_, i) => ({
      id: `p${i}`,
      node_id: `nsu=${BENCH_NAMESPACE};s=P${i}`,
    })),
  };
}
