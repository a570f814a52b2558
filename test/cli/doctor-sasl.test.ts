/**
 * `gateway doctor` against a broker that requires SASL (SCRAM-SHA-512): the
 * broker check signs in as the gateway would, and names a wrong password or a
 * missing password file with what to do.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { defaultAuth, type KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { ownBroker } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';

describe('gateway doctor with SASL', () => {
  const auth = defaultAuth();
  const gatewayUser = auth.users[0] as { username: string; password: string };
  let temp: ReturnType<typeof tempDir>;
  let broker: KafkaBroker;
  let plant: TestSite;

  before(async () => {
    temp = tempDir();
    broker = await ownBroker({ auth, heapMb: 384 });
    plant = await startTestSite({ dir: temp.dir, brokers: broker.brokers, topic: 'doctor-sasl' });
  });

  after(async () => {
    await plant?.stopPlant();
    await broker?.stop();
    temp?.remove();
  });

  async function doctorWith(password: { file: string }): Promise<{ code: number | null; broker: string[] }> {
    const site: SiteFile = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        kafka: {
          ...plant.site.gateway.kafka,
          sasl: { mechanism: 'scram-sha-512', username: gatewayUser.username, password },
        },
      },
    };
    const file = join(temp.dir, 'sasl-site.yaml');
    writeFileSync(file, stringify(site));
    // The environment of the test run may name another broker; this site's broker is the one to check.
    const child = GatewayProcess.start(['doctor', '--config', file, '--timeout', '5000'], {
      KAFKA_BROKERS: '',
    });
    const code = await child.exited;
    const at = child.lines.findIndex((line) => line.slice(8).startsWith('broker'));
    assert.ok(at >= 0, child.lines.join('\n'));
    return { code, broker: child.lines.slice(at, at + 2) };
  }

  test('the right password signs in', async () => {
    const file = join(temp.dir, 'kafka-password');
    writeFileSync(file, `${gatewayUser.password}\n`);
    const { code, broker: lines } = await doctorWith({ file });
    assert.match(
      lines[0] ?? '',
      /^ {2}(ok |WARN).*reached 1 broker\(s\) of cluster \S+ over SASL_PLAINTEXT as User:gateway;/,
    );
    assert.equal(code, 0, lines.join('\n'));
  });

  test('a wrong password is PRODUCER_AUTH with what to check', async () => {
    const file = join(temp.dir, 'wrong-password');
    writeFileSync(file, 'not-the-password\n');
    const { code, broker: lines } = await doctorWith({ file });
    assert.equal(code, 1);
    assert.match(lines[0] ?? '', /FAIL .*PRODUCER_AUTH: .*User:gateway.* \(check gateway\.kafka\.sasl/);
  });

  test('a password file that is not there is PRODUCER_SECRET naming it', async () => {
    const { code, broker: lines } = await doctorWith({ file: join(temp.dir, 'absent') });
    assert.equal(code, 1);
    assert.match(lines[0] ?? '', /FAIL .*PRODUCER_SECRET: .*absent: ENOENT/);
  });
});
