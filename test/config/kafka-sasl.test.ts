/** Validation of gateway.kafka.sasl: known mechanisms, and the password from exactly one place. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems, yaml } from './helpers.ts';

function siteWithSasl(sasl: string): string {
  return yaml`
    site: demo
    gateway:
      id: gw-1
      kafka:
        sasl: ${sasl}
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

test('SASL with the password from a file or a variable is valid', () => {
  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512']) {
    const text = siteWithSasl(`{ mechanism: ${mechanism}, username: gateway, password: { file: /run/k } }`);
    assert.deepEqual(problems(text), [], mechanism);
  }
  assert.deepEqual(
    problems(siteWithSasl('{ mechanism: plain, username: gateway, password: { env: KAFKA_PASSWORD } }')),
    [],
  );
});

test('an inline password, both sources or none, and unknown mechanisms are refused', () => {
  const inline = problems(siteWithSasl('{ mechanism: plain, username: gateway, password: hunter2 }'));
  assert.match(inline.join('\n'), /gateway\.kafka\.sasl\.password/);
  const both = problems(siteWithSasl('{ mechanism: plain, username: gw, password: { file: /x, env: X } }'));
  assert.match(both.join('\n'), /gateway\.kafka\.sasl\.password: give either "file" or "env", not both/);
  const none = problems(siteWithSasl('{ mechanism: plain, username: gw, password: {} }'));
  assert.match(none.join('\n'), /gateway\.kafka\.sasl\.password: needs "file"/);
  const mechanism = problems(siteWithSasl('{ mechanism: gssapi, username: gw, password: { env: X } }'));
  assert.match(mechanism.join('\n'), /gateway\.kafka\.sasl\.mechanism/);
});
