/** Runs the minimal Modbus responder on its own thread, so the polling thread is measured alone. */
import { parentPort } from 'node:worker_threads';
import { startResponder } from './modbus-responder.ts';

const port = parentPort;
if (port === null) throw new Error('responder-worker.ts runs as a worker thread only');
const responder = await startResponder();
port.once('message', async () => {
  await responder.close();
  port.close();
});
port.postMessage({ port: responder.port });
