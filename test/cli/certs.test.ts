import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SimulatedOpcuaServer } from '../../src/simulator/opcua-server.ts';
import { boilerDevice, tempDir } from '../adapters/opcua/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process = GatewayProcess.start(args);
  const code = await process.exited;
  return { code, stdout: process.logs.map((line) => line.msg).join('\n'), stderr: process.stderr };
}

describe('gateway certs', () => {
  const temp = tempDir('certs-cli-');
  const site = join(temp.path, 'site.yaml');
  const rejected = join(temp.path, 'state', 'pki', 'rejected');

  before(async () => {
    // A real server certificate, as the gateway would have refused it.
    const serverPki = join(temp.path, 'server-pki');
    const server = await SimulatedOpcuaServer.start(boilerDevice(), { pkiDir: serverPki });
    await server.stop();
    const own = join(serverPki, 'own', 'certs');
    const [certificate] = readdirSync(own).filter((name) => name.endsWith('.pem'));
    mkdirSync(rejected, { recursive: true });
    copyFileSync(join(own, certificate as string), join(rejected, 'simulator.pem'));
    writeFileSync(
      site,
      [
        'site: plant',
        'gateway:',
        '  id: gw-1',
        `  state_dir: ${join(temp.path, 'state')}`,
        'devices:',
        '  - id: ua',
        '    protocol: opcua',
        '    endpoint: opc.tcp://127.0.0.1:4840',
        '    area: a',
        '    line: l',
        '    asset: x',
        '    points:',
        '      - { id: t, node_id: "ns=2;s=T" }',
        '',
      ].join('\n'),
    );
  });
  after(() => temp.remove());

  test('list shows rejected certificates; trust moves one to trusted by a thumbprint prefix', async () => {
    const listed = await cli(['certs', 'list', '--config', site]);
    assert.equal(listed.code, 0, listed.stderr);
    const match = /^rejected ([0-9a-f]{40}) /m.exec(listed.stdout);
    assert.ok(match, listed.stdout);
    const thumbprint = match[1] as string;

    const trusted = await cli(['certs', 'trust', thumbprint.slice(0, 10), '--config', site]);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, new RegExp(`^trusted ${thumbprint}`));
    const after = await cli(['certs', 'list', '--config', site]);
    assert.match(after.stdout, new RegExp(`^trusted  ${thumbprint}`, 'm'));
    assert.doesNotMatch(after.stdout, /^rejected/m);
  });

  test('an unknown thumbprint says how to find the right one', async () => {
    const result = await cli(['certs', 'trust', 'deadbeefdeadbeef', '--config', site]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /CERTS_UNKNOWN: no certificate matches: no rejected certificate has thumbprint deadbeefdeadbeef \(run `gateway certs list`/,
    );
  });

  test('usage mistakes exit 2', async () => {
    assert.equal((await cli(['certs', 'trust', '--config', site])).code, 2);
    assert.equal((await cli(['certs', 'list'])).code, 2);
  });
});
