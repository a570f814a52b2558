import { DEFAULTS } from './defaults.ts';
import type { OpcuaDevice } from './schema.ts';

/** Whether the gateway reads the device on a schedule rather than subscribing; known before the adapter loads. */
export function opcuaPolls(device: OpcuaDevice): boolean {
  return (device.mode ?? DEFAULTS.opcuaMode) === 'poll';
}
