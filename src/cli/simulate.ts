import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import { startSimulatedPlant } from '../simulator/plant.ts';
import { untilShutdownSignal } from './signals.ts';

/** Serves a simulated PLC for every device of the site file until SIGTERM/SIGINT. */
export async function simulateCommand(file: string): Promise<number> {
  const result = loadSiteFile(file);
  if (!result.ok) {
    for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  let plant: Awaited<ReturnType<typeof startSimulatedPlant>>;
  try {
    plant = await startSimulatedPlant(result.site, {
      scenarios: 'auto',
      // The simulated servers keep their certificates, so a gateway that trusted them once keeps trusting them.
      opcuaPkiDir: join(tmpdir(), 'edge-alarm-gateway-simulator-pki'),
    });
  } catch (error) {
    process.stderr.write(`[simulator] cannot serve the devices of ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  for (const [id, device] of plant.devices) {
    if (device.device.protocol === 'modbus-rtu') continue;
    process.stdout.write(`simulating ${id} on ${device.host}:${device.port}\n`);
  }
  for (const { pty, line } of plant.serialLines) {
    for (const [id, unit] of line.devices) {
      process.stdout.write(
        `simulating ${id} on serial line ${pty.gatewayEnd} unit ${unit.device.unit_id ?? 1}\n`,
      );
    }
  }
  for (const [id, server] of plant.opcua) {
    process.stdout.write(`simulating ${id} on ${server.endpoint}\n`);
  }
  for (const [id, device] of plant.mqtt) {
    process.stdout.write(`simulating ${id}, publishing to ${device.url}\n`);
  }
  await untilShutdownSignal();
  await plant.stop();
  return 0;
}
