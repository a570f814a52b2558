/**
 * One look at a device, for `gateway doctor`: connect with the device's own
 * adapter, read every point once (or, for a device that pushes, wait for its
 * first values), disconnect. Nothing is delivered to the alarm stage.
 */
import type { Device } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import type { DeviceSession, PushSession } from './adapter.ts';
import { type AdapterContext, createAdapter } from './create-adapter.ts';
import { defaultClientId } from './mqtt/connection-options.ts';
import type { Reading } from './reading.ts';

export interface DeviceProbe {
  /** The device answered (for a push device: the link is up). */
  reached: boolean;
  readings: Reading[];
  error?: GatewayError;
  elapsedMs: number;
}

export async function probeDevice(
  device: Device,
  context: AdapterContext,
  timeoutMs: number,
): Promise<DeviceProbe> {
  const started = Date.now();
  const adapter = createAdapter(probeIdentity(device, context.gatewayId), context);
  const readings: Reading[] = [];
  let session: DeviceSession | PushSession | undefined;
  try {
    if (adapter.mode === 'push') {
      let up = false;
      session = await settleLate(
        adapter.connect({
          // Not committed: a broker keeps the message for the gateway's own session.
          deliver: (delivered) => {
            readings.push(...delivered);
            return false;
          },
          link: (linkUp) => {
            up = linkUp;
          },
        }),
        timeoutMs,
        device.id,
      );
      const pushed = session;
      up ||= pushed.awaitingDevice !== true;
      const deadline = started + timeoutMs;
      while (Date.now() < deadline && (!up || readings.length === 0)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { reached: up, readings, elapsedMs: Date.now() - started };
    }
    session = await settleLate(adapter.connect(), timeoutMs, device.id);
    readings.push(...(await within(session.poll(), timeoutMs, device.id)));
    return { reached: true, readings, elapsedMs: Date.now() - started };
  } catch (cause) {
    const error =
      cause instanceof GatewayError
        ? cause
        : new GatewayError('DEVICE_POLL', (cause as Error)?.message ?? String(cause), { cause });
    return { reached: false, readings, error, elapsedMs: Date.now() - started };
  } finally {
    await session?.close().catch(() => {});
  }
}

/**
 * An MQTT client id is unique on its broker: the probe takes its own, with a
 * clean session, so it neither pushes the running gateway off nor leaves a
 * session behind.
 */
function probeIdentity(device: Device, gatewayId: string): Device {
  if (device.protocol !== 'mqtt') return device;
  const clientId = device.client_id ?? defaultClientId(gatewayId, device.id);
  return { ...device, client_id: `${clientId}-doctor`, clean_session: true };
}

/** Like within(), and a session that opens after the timeout is closed at once. */
async function settleLate<T extends { close(): Promise<void> }>(
  connecting: Promise<T>,
  timeoutMs: number,
  deviceId: string,
): Promise<T> {
  try {
    return await within(connecting, timeoutMs, deviceId);
  } catch (error) {
    void connecting.then((late) => late.close()).catch(() => {});
    throw error;
  }
}

function within<T>(work: Promise<T>, timeoutMs: number, deviceId: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GatewayError('DEVICE_POLL', `${deviceId}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
