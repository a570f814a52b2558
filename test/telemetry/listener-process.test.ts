/**
 * The gateway process as systemd runs it, where an unhandled rejection ends
 * the process: hostile request lines from anyone who can reach the listener
 * are answered, and the gateway keeps running and answering /healthz.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { exchange } from './raw-http.ts';

let temp: ReturnType<typeof tempDir>;
let plant: TestSite;
let gateway: GatewayProcess;
let port: number;

before(async () => {
  temp = tempDir();
  // No broker is needed: the listener answers while the gateway buffers.
  plant = await startTestSite({ dir: temp.dir, brokers: '127.0.0.1:9', topic: `listener-${randomUUID()}` });
  gateway = GatewayProcess.run(plant.file);
  const ready = await gateway.waitForLog((line) => line.msg.startsWith('listener ready'), 'the listener');
  port = Number(new URL(String(ready.url)).port);
});

after(async () => {
  await gateway?.kill();
  await plant?.stopPlant();
  temp?.remove();
});

test('odd request targets get 400 and the gateway runs on, answering /healthz', async () => {
  for (const target of ['//[', 'http://[', '//x:99999/', '//%', '//@/']) {
    const { answer } = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    assert.equal(answer?.status, 400, `GET ${target}`);
  }
  const health = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.equal(health.answer?.status, 200);
  assert.equal(gateway.child.exitCode, null, `still running; stderr: ${gateway.stderr}`);
  assert.ok(!gateway.logs.some((line) => line.level === 'fatal'), 'nothing fatal was logged');
});
