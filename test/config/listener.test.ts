/** Validation of gateway.listener and gateway.log_levels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems, yaml } from './helpers.ts';

function site(gatewayExtra: string): string {
  return yaml`
    site: demo
    gateway:
      id: gw-1
      ${gatewayExtra}
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

test('listener settings and per-component log levels are valid as documented', () => {
  assert.deepEqual(
    problems(
      site(
        'listener: { enabled: true, host: 0.0.0.0, port: 9330, operator_token: { file: /run/credentials/token }, ready_min_devices_share: 0.75, max_loop_lag_ms: 500, status_refresh_ms: 1000 }',
      ),
    ),
    [],
  );
  assert.deepEqual(problems(site('listener: { enabled: false }')), []);
  assert.deepEqual(problems(site('log_levels: { adapter: debug, producer: warn, alarms: silent }')), []);
});

test('an inline token, both sources, a bad port or share, and unknown components are refused', () => {
  assert.match(
    problems(site('listener: { operator_token: hunter2 }')).join('\n'),
    /gateway\.listener\.operator_token/,
  );
  assert.match(
    problems(site('listener: { operator_token: { file: /x, env: X } }')).join('\n'),
    /gateway\.listener\.operator_token: give either "file" or "env", not both/,
  );
  assert.match(problems(site('listener: { port: 70000 }')).join('\n'), /gateway\.listener\.port/);
  assert.match(
    problems(site('listener: { ready_min_devices_share: 1.5 }')).join('\n'),
    /ready_min_devices_share/,
  );
  assert.match(problems(site('log_levels: { kafka: debug }')).join('\n'), /gateway\.log_levels/);
  assert.match(problems(site('log_levels: { adapter: loud }')).join('\n'), /gateway\.log_levels\.adapter/);
});
