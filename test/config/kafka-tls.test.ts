/** Validation of gateway.kafka.tls, topic_config and provisioning. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems, yaml } from './helpers.ts';

function siteWithKafka(kafka: string): string {
  return yaml`
    site: demo
    gateway:
      id: gw-1
      kafka: ${kafka}
    devices:
      - id: plc-1
        protocol: modbus-tcp
        host: 10.0.0.1
        area: utilities
        line: steam
        asset: boiler-1
        points:
          - { id: p, register: holding, address: 0 }
  `;
}

test('TLS with a CA, a client certificate and a passphrase from a file or variable is valid', () => {
  assert.deepEqual(problems(siteWithKafka('{ tls: {} }')), []);
  assert.deepEqual(
    problems(
      siteWithKafka(
        '{ tls: { ca_file: /etc/ca.pem, cert_file: /etc/gw.pem, key_file: /etc/gw.key, key_passphrase: { env: KEY_PASS }, server_name: kafka.plant } }',
      ),
    ),
    [],
  );
  assert.deepEqual(
    problems(
      siteWithKafka('{ tls: { cert_file: /c, key_file: /k, key_passphrase: { file: /run/credentials/x } } }'),
    ),
    [],
  );
});

test('a certificate without its key, a passphrase without a key or inline, and unknown keys are refused', () => {
  assert.match(
    problems(siteWithKafka('{ tls: { cert_file: /c } }')).join('\n'),
    /gateway\.kafka\.tls: give cert_file and key_file together/,
  );
  assert.match(
    problems(siteWithKafka('{ tls: { key_passphrase: { env: X } } }')).join('\n'),
    /gateway\.kafka\.tls: key_passphrase needs key_file/,
  );
  assert.match(
    problems(siteWithKafka('{ tls: { cert_file: /c, key_file: /k, key_passphrase: hunter2 } }')).join('\n'),
    /gateway\.kafka\.tls\.key_passphrase/,
  );
  assert.match(
    problems(
      siteWithKafka('{ tls: { cert_file: /c, key_file: /k, key_passphrase: { file: /a, env: B } } }'),
    ).join('\n'),
    /key_passphrase: give either "file" or "env", not both/,
  );
  assert.match(problems(siteWithKafka('{ tls: { verify: false } }')).join('\n'), /gateway\.kafka\.tls/);
});

test('topic_config takes Kafka topic configuration names with scalar values', () => {
  assert.deepEqual(
    problems(
      siteWithKafka(
        '{ topic_config: { retention.ms: 604800000, cleanup.policy: delete, unclean.leader.election.enable: false } }',
      ),
    ),
    [],
  );
  assert.match(
    problems(siteWithKafka('{ topic_config: { Retention: 1 } }')).join('\n'),
    /topic_config\.Retention: unknown key "Retention" \(keys must match \^\[a-z\]/,
  );
  assert.match(
    problems(siteWithKafka('{ topic_config: { retention.ms: [1] } }')).join('\n'),
    /topic_config\["retention\.ms"\]: must be a string, a number or true or false/,
  );
});

test('the provisioning sign-in follows the same rules as the gateway one', () => {
  assert.deepEqual(
    problems(
      siteWithKafka(
        '{ provisioning: { sasl: { mechanism: scram-sha-512, username: provisioner, password: { env: P } }, tls: { cert_file: /a, key_file: /b } } }',
      ),
    ),
    [],
  );
  assert.match(
    problems(
      siteWithKafka('{ provisioning: { sasl: { mechanism: plain, username: p, password: secret } } }'),
    ).join('\n'),
    /gateway\.kafka\.provisioning\.sasl\.password/,
  );
  assert.match(
    problems(siteWithKafka('{ provisioning: { tls: { key_file: /b } } }')).join('\n'),
    /provisioning\.tls: give cert_file and key_file together/,
  );
});
