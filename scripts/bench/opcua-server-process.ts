/**
 * The simulated OPC UA server of the benchmark, in its own process so its
 * CPU is not counted as the gateway's: every point changes once per
 * sampling interval. Prints `ready <port>`, then runs until SIGTERM.
 *
 *   node scripts/bench/opcua-server-process.ts <points> <sampling-ms>
 */
import { SimulatedOpcuaServer } from '../../src/simulator/opcua-server.ts';
import { benchOpcuaDevice } from './opcua-layout.ts';

const [points, samplingMs] = process.argv.slice(2).map(Number) as [number, number];
const device = benchOpcuaDevice(points, samplingMs);
const server = await SimulatedOpcuaServer.start(device);
let tick = 0;
const timer = setInterval(() => {
  tick += 1;
  for (let i = 0; i < points; i++) server.set(`p${i}`, tick * 1000 + i);
}, samplingMs);
process.stdout.write(`ready ${server.port}\n`);
process.once('SIGTERM', async () => {
  clearInterval(timer);
  await server.stop();
  process.exit(0);
});
