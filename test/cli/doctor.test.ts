/**
 * `gateway doctor` as an operator runs it, against simulated PLCs and a real
 * Kafka broker: all well, a device gone, a broker gone, an invalid site file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { sharedBrokers } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';

async function doctor(
  file: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; lines: string[] }> {
  const child = GatewayProcess.start(['doctor', '--config', file, '--timeout', '2000'], env);
  const code = await child.exited;
  return { code, lines: child.lines };
}

function lineOf(lines: string[], subject: string): string {
  const found = lines.find((line) => line.slice(8).startsWith(subject));
  assert.ok(found, `no line for ${subject} in:\n${lines.join('\n')}`);
  return found;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('gateway doctor', () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let brokers: string;

  before(async () => {
    temp = tempDir();
    brokers = await sharedBrokers();
    plant = await startTestSite({ dir: temp.dir, brokers, topic: `doctor-${randomUUID()}` });
  });

  after(async () => {
    await plant.stopPlant();
    temp.remove();
  });

  test('all devices and the broker reachable: every check ok or a warning, exit 0', async () => {
    const { code, lines } = await doctor(plant.file);
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lineOf(lines, 'site file'), /^ {2}ok {4}site file\s+site test-site, 2 devices, 3 points$/);
    assert.match(lineOf(lines, 'device press-plc'), /ok .*2 value\(s\) read in \d+ ms, all good/);
    assert.match(lineOf(lines, 'device pump-plc'), /ok .*1 value\(s\) read/);
    assert.match(
      lineOf(lines, 'broker'),
      // Nothing has created the topic yet: the gateway would at its start.
      new RegExp(
        `WARN .*${brokers.split(',')[0]}\\S*: reached \\d+ broker\\(s\\) of cluster \\S+ over PLAINTEXT as User:ANONYMOUS; doctor-\\S+ missing`,
      ),
    );
    assert.match(lineOf(lines, 'disk space'), /ok|WARN/);
    assert.match(lineOf(lines, 'state directory'), /ok .* can be created in /);
    assert.match(lines.at(-1) ?? '', /^0 problem\(s\), \d+ warning\(s\)$/);
  });

  test('a device that is gone and a point it refuses are named with what to do; exit 1', async () => {
    plant.press.failAddress('coil', 0);
    await plant.pump.stop();
    try {
      const { code, lines } = await doctor(plant.file);
      assert.equal(code, 1);
      assert.match(lineOf(lines, 'device pump-plc'), /FAIL .*MODBUS_CONNECT: .*ECONNREFUSED/);
      const fix = lines[lines.indexOf(lineOf(lines, 'device pump-plc')) + 1];
      assert.match(fix ?? '', /fix: check host, port and the network path/);
      assert.match(
        lineOf(lines, 'device press-plc'),
        /WARN .*1 not good \(guard_open: .*exception 2 \(illegal data address\)/,
      );
      assert.match(lines.at(-1) ?? '', /^1 problem\(s\)/);
    } finally {
      plant.press.clearFailures();
      await plant.pump.restart();
    }
  });

  test('a broker that cannot be reached fails the broker check', async () => {
    const { code, lines } = await doctor(plant.file, { KAFKA_BROKERS: `127.0.0.1:${await closedPort()}` });
    assert.equal(code, 1);
    assert.match(lineOf(lines, 'broker'), /FAIL .*ECONNREFUSED/);
  });

  test('an invalid site file: its problems, and nothing else is tried', async () => {
    const file = join(temp.dir, 'broken.yaml');
    writeFileSync(file, 'site: x\ngateway: { id: gw }\ndevices: [{ id: d, protocol: modbus-tcp }]\n');
    const { code, lines } = await doctor(file);
    assert.equal(code, 1);
    assert.match(lineOf(lines, 'site file'), /FAIL .*problem\(s\):/);
    assert.ok(
      lines.some((line) => line.includes('devices[0]')),
      lines.join('\n'),
    );
    assert.ok(!lines.some((line) => line.includes('broker')));
  });
});
