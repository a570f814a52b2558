import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configurationError, permanentRejection } from '../../src/producer/broker-errors.ts';

/** kafkajs's error shapes: a protocol error, wrapped by its retrier or in an aggregate. */
const protocolError = (type: string) => Object.assign(new Error(`broker says ${type}`), { type });

test('a refusal no retry can fix is recognised, however kafkajs wrapped it', () => {
  const direct = permanentRejection(protocolError('MESSAGE_TOO_LARGE'));
  assert.equal(direct?.reason, 'too_large');
  assert.equal(direct?.brokerError, 'MESSAGE_TOO_LARGE');

  const retried = Object.assign(new Error('retries exceeded'), {
    cause: protocolError('TOPIC_AUTHORIZATION_FAILED'),
  });
  assert.equal(permanentRejection(retried)?.reason, 'not_authorized');

  const wrapped = Object.assign(new Error('non retriable'), {
    originalError: protocolError('INVALID_RECORD'),
  });
  assert.equal(permanentRejection(wrapped)?.reason, 'invalid');

  const aggregate = Object.assign(new Error('several'), {
    errors: [new Error('timeout'), protocolError('RECORD_LIST_TOO_LARGE')],
  });
  assert.equal(permanentRejection(aggregate)?.reason, 'too_large');
});

test('transient and configuration errors stay retriable', () => {
  for (const type of [
    'NOT_LEADER_FOR_PARTITION',
    'REQUEST_TIMED_OUT',
    'CLUSTER_AUTHORIZATION_FAILED',
    'UNKNOWN_TOPIC_OR_PARTITION',
  ]) {
    assert.equal(permanentRejection(protocolError(type)), undefined, type);
  }
  assert.equal(permanentRejection(new Error('Connection error: ECONNREFUSED')), undefined);
  assert.equal(permanentRejection(undefined), undefined);
});

test('a cyclic chain of causes ends', () => {
  const a: { cause?: unknown } & Error = new Error('a');
  const b = Object.assign(new Error('b'), { cause: a });
  a.cause = b;
  assert.equal(permanentRejection(a), undefined);
});

test('an authorization refusal names the ACL to grant and the principal', () => {
  const rejected = permanentRejection(protocolError('TOPIC_AUTHORIZATION_FAILED'), {
    topic: 'iiot.alarms.v1',
    principal: 'User:gateway',
  });
  assert.equal(rejected?.reason, 'not_authorized');
  assert.match(
    rejected?.message ?? '',
    /grant WRITE and DESCRIBE on topic iiot\.alarms\.v1 to User:gateway$/,
  );
  // Other refusals are not about ACLs.
  const large = permanentRejection(protocolError('MESSAGE_TOO_LARGE'), { topic: 't', principal: 'User:g' });
  assert.doesNotMatch(large?.message ?? '', /grant/);
});

test('credentials and cluster ACLs are configuration errors with their own codes', () => {
  const access = { topic: 'iiot.alarms.v1', principal: 'User:gateway' };
  const cluster = configurationError(
    Object.assign(new Error('retries exceeded'), { cause: protocolError('CLUSTER_AUTHORIZATION_FAILED') }),
    access,
  );
  assert.equal(cluster?.code, 'PRODUCER_NOT_AUTHORIZED');
  assert.match(cluster?.message ?? '', /grant IDEMPOTENT_WRITE on the cluster to User:gateway/);
  const sasl = Object.assign(new Error('SASL PLAIN authentication failed'), {
    name: 'KafkaJSSASLAuthenticationError',
  });
  assert.equal(configurationError(sasl, access)?.code, 'PRODUCER_AUTH');
  const wrapped = Object.assign(new Error('Failed to connect: SASL PLAIN authentication failed'), {
    name: 'KafkaJSNumberOfRetriesExceeded',
    cause: sasl,
  });
  assert.equal(configurationError(wrapped, access)?.code, 'PRODUCER_AUTH', 'a refusal met during a send');
  assert.match(configurationError(wrapped, access)?.message ?? '', /User:gateway: SASL PLAIN/);
  assert.equal(
    configurationError(protocolError('SASL_AUTHENTICATION_FAILED'), access)?.code,
    'PRODUCER_AUTH',
  );
  assert.equal(configurationError(protocolError('REQUEST_TIMED_OUT'), access), undefined);
});
