/**
 * Least privilege for operator commands, against a broker with SASL and the
 * ACL authorizer: without READ on the command topic or on the consumer group
 * the gateway says which ACL to grant and goes on with its alarms; once both
 * are granted it reads commands without a restart.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SaslUser } from '../../scripts/kafka/auth.ts';
import { defaultAuth, type KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { commandRecord } from '../../src/operator/command-record.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { createTopic, kafkaClient, ownBroker, uniqueTopic } from '../harness/kafka.ts';
import { grantGroup, grantTopic } from '../harness/kafka-acl.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const auth = defaultAuth();
const gatewayUser = auth.users[0] as SaslUser;
const principal = `User:${gatewayUser.username}`;

describe('operator commands on a broker with ACLs', () => {
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  const topic = uniqueTopic('alarms');
  const commandTopic = uniqueTopic('commands');
  const group = uniqueTopic('gateway-commands');

  before(async () => {
    temp = tempDir();
    broker = await ownBroker({ auth, heapMb: 384 });
    await createTopic(broker.brokers, topic, 1, auth.admin);
    await createTopic(broker.brokers, commandTopic, 1, auth.admin);
    await grantTopic(broker.brokers, auth.admin, topic, principal, ['WRITE', 'DESCRIBE']);
    const passwordFile = join(temp.dir, 'gateway.password');
    writeFileSync(passwordFile, `${gatewayUser.password}\n`);
    plant = await startTestSite({
      dir: temp.dir,
      brokers: broker.brokers,
      topic,
      customize: (site: SiteFile) => ({
        ...site,
        gateway: {
          ...site.gateway,
          kafka: {
            ...site.gateway.kafka,
            sasl: { mechanism: 'plain', username: gatewayUser.username, password: { file: passwordFile } },
          },
          commands: { topic: commandTopic, group_id: group },
        },
      }),
    });
  });

  after(async () => {
    await plant?.stopPlant();
    await broker?.stop();
    temp?.remove();
  });

  test('a missing READ is named, alarms flow meanwhile, and commands flow once it is granted', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const gateway = Gateway.start({ site: plant.site, logger, env: {} });
    const logged = (pattern: RegExp) => lines.some((line) => pattern.test(line));
    try {
      const named = (resource: string) =>
        until(
          () => logged(new RegExp(`COMMANDS_NOT_AUTHORIZED.*grant READ on ${resource} to ${principal}`)),
          `READ on ${resource} named`,
          30_000,
        );
      await named(`group ${group}`);
      plant.press.set('oil_temperature', 85);
      await until(() => gateway.status().producer.delivered === 1, 'the raise delivered meanwhile', 30_000);
      await grantGroup(broker.brokers, auth.admin, group, principal, ['READ']);
      await named(`topic ${commandTopic}`);
      assert.equal(gateway.status().commands?.reading, false);
      await grantTopic(broker.brokers, auth.admin, commandTopic, principal, ['READ']);
      await until(() => gateway.status().commands?.reading === true, 'reading once granted', 60_000);

      const producer = kafkaClient(broker.brokers, auth.admin).producer();
      await producer.connect();
      await producer.send({
        topic: commandTopic,
        messages: [
          commandRecord(commandTopic, {
            command_id: `${commandTopic}-ack`,
            site: 'test-site',
            action: 'ack',
            condition_id: 'test-site/forming/line-1/press-1/oil_temperature/temperature',
            actor: 'j.smith',
          }),
        ],
      });
      await producer.disconnect();
      await until(() => gateway.status().commands?.applied === 1, 'the ack applied', 30_000);
      await until(() => gateway.status().producer.delivered === 2, 'the ack delivered', 30_000);
    } finally {
      await gateway.stop();
    }
  });
});
