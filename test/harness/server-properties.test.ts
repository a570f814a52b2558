/** The local broker's configuration: plain by default, SASL with the authorizer on request. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultAuth, scramFormatArgs } from '../../scripts/kafka/auth.ts';
import { renderServerProperties } from '../../scripts/kafka/server-properties.ts';
import { brokerTls } from '../../scripts/kafka/tls.ts';
import { tempDir } from './fixtures.ts';

const ports = { port: 9092, controllerPort: 9093, logDir: '/tmp/kraft' };

function parse(text: string): Map<string, string> {
  const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

test('without auth the client listener is PLAINTEXT and there is no authorizer', () => {
  const settings = parse(renderServerProperties(ports));
  assert.equal(settings.get('listeners'), 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
  assert.equal(settings.get('authorizer.class.name'), undefined);
  assert.equal(settings.get('sasl.enabled.mechanisms'), undefined);
});

test('with auth the client listener is SASL_PLAINTEXT with PLAIN users and the KRaft authorizer', () => {
  const settings = parse(renderServerProperties({ ...ports, auth: defaultAuth() }));
  assert.equal(settings.get('listeners'), 'SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
  assert.equal(settings.get('inter.broker.listener.name'), 'SASL_PLAINTEXT');
  assert.equal(
    settings.get('listener.security.protocol.map'),
    'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
  );
  assert.equal(
    settings.get('authorizer.class.name'),
    'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  );
  assert.equal(settings.get('allow.everyone.if.no.acl.found'), 'false');
  assert.equal(settings.get('super.users'), 'User:admin;User:ANONYMOUS');
  const jaas = settings.get('listener.name.sasl_plaintext.plain.sasl.jaas.config') ?? '';
  assert.match(jaas, /user_admin="admin-secret"/);
  assert.match(jaas, /user_gateway="gateway-secret"/);
  assert.equal(settings.get('sasl.enabled.mechanisms'), 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
  assert.match(
    settings.get('listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config') ?? '',
    /ScramLoginModule required;/,
  );
});

test('SCRAM users are added when the storage is formatted', () => {
  const args = scramFormatArgs(defaultAuth());
  assert.ok(args.includes('SCRAM-SHA-512=[name=gateway,password=gateway-secret]'));
  assert.ok(args.includes('SCRAM-SHA-256=[name=admin,password=admin-secret]'));
});

test('a password that would break the JAAS line is refused', () => {
  const auth = { ...defaultAuth(), users: [{ username: 'gw', password: 'a"b' }] };
  assert.throws(() => renderServerProperties({ ...ports, auth }), /may not hold quotes/);
});

test('a node joining a quorum is a broker only, with no controller listener of its own', () => {
  const settings = parse(
    renderServerProperties({ ...ports, nodeId: 2, controllerQuorum: '127.0.0.1:19093' }),
  );
  assert.equal(settings.get('process.roles'), 'broker');
  assert.equal(settings.get('node.id'), '2');
  assert.equal(settings.get('controller.quorum.bootstrap.servers'), '127.0.0.1:19093');
  assert.equal(settings.get('listeners'), 'PLAINTEXT://127.0.0.1:9092');
  assert.equal(settings.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:9092');
  assert.equal(settings.get('controller.listener.names'), 'CONTROLLER');
});

test('by default the node is broker and controller, node 1', () => {
  const settings = parse(renderServerProperties(ports));
  assert.equal(settings.get('process.roles'), 'broker,controller');
  assert.equal(settings.get('node.id'), '1');
  assert.equal(settings.get('controller.quorum.bootstrap.servers'), '127.0.0.1:9093');
});

test('with TLS the client listener is SSL (SASL_SSL with auth), with PEM stores and client auth set per listener', () => {
  const temp = tempDir();
  try {
    const settings = brokerTls(temp.dir, 'required');
    const tls = { settings, keyStoreFile: '/tmp/kraft/keystore.pem' };
    const ssl = parse(renderServerProperties({ ...ports, tls }));
    assert.equal(ssl.get('listeners'), 'SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    assert.equal(ssl.get('listener.security.protocol.map'), 'SSL:SSL,CONTROLLER:PLAINTEXT');
    assert.equal(ssl.get('ssl.keystore.type'), 'PEM');
    assert.equal(ssl.get('ssl.keystore.location'), '/tmp/kraft/keystore.pem');
    assert.equal(ssl.get('ssl.truststore.location'), settings.broker.caFile);
    assert.equal(ssl.get('listener.name.ssl.ssl.client.auth'), 'required');
    assert.equal(ssl.get('authorizer.class.name'), undefined);

    const saslSsl = parse(renderServerProperties({ ...ports, tls, auth: defaultAuth() }));
    assert.equal(saslSsl.get('listeners'), 'SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    assert.equal(saslSsl.get('listener.name.sasl_ssl.ssl.client.auth'), 'required');
    assert.match(saslSsl.get('listener.name.sasl_ssl.plain.sasl.jaas.config') ?? '', /user_gateway=/);
  } finally {
    temp.remove();
  }
});

test('TLS with the authorizer makes the broker and admin certificates super users by their subjects', () => {
  const temp = tempDir();
  try {
    const settings = { ...brokerTls(temp.dir, 'required'), authorizer: true };
    const props = parse(renderServerProperties({ ...ports, tls: { settings, keyStoreFile: '/k.pem' } }));
    assert.equal(
      props.get('authorizer.class.name'),
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    );
    assert.equal(props.get('super.users'), 'User:CN=kafka-broker,O=Test;User:CN=admin,O=Test;User:ANONYMOUS');
    assert.equal(props.get('allow.everyone.if.no.acl.found'), 'false');
  } finally {
    temp.remove();
  }
});
