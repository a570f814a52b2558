/**
 * The Node flags the service unit starts the gateway with, read from the
 * unit itself, so the footprint benchmark measures the gateway as it runs
 * in production and follows the unit when it changes.
 */
import { readFileSync } from 'node:fs';

const UNIT = new URL('../../systemd/edge-alarm-gateway.service', import.meta.url);

export function unitNodeFlags(): string {
  const unit = readFileSync(UNIT, 'utf8');
  return /^ExecStart=\S*\/node((?: --\S+)*) /m.exec(unit)?.[1]?.trim() ?? '';
}
