import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PushAdapter } from '../../../src/adapters/adapter.ts';
import { createOpcuaAdapter } from '../../../src/adapters/opcua/adapter.ts';
import { listCertificates, trustCertificate } from '../../../src/adapters/opcua/pki.ts';
import { DeviceRunner } from '../../../src/adapters/runner.ts';
import type { OpcuaDevice } from '../../../src/config/schema.ts';
import { SimulatedOpcuaServer } from '../../../src/simulator/opcua-server.ts';
import { Backoff } from '../../../src/system/backoff.ts';
import { GatewayError } from '../../../src/system/errors.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { until } from '../../harness/wait.ts';
import { boilerDevice, logger, RecordingLink, tempDir } from './fixtures.ts';

const POLICIES = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;

describe('OPC UA security', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-security-');

  before(async () => {
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      users: [{ username: 'operator', password: 'hunter2' }],
    });
    server.set('level', 5);
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  async function connectOnce(overrides: Partial<OpcuaDevice>, env: Record<string, string> = {}) {
    const device = boilerDevice({ endpoint: server.endpoint, ...overrides });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env }) as PushAdapter;
    const link = new RecordingLink();
    const session = await adapter.connect(link);
    try {
      await link.until('level', (r) => r.value === 5);
    } finally {
      await session.close();
    }
  }

  async function refusal(
    overrides: Partial<OpcuaDevice>,
    env: Record<string, string> = {},
  ): Promise<GatewayError> {
    try {
      await connectOnce(overrides, env);
    } catch (error) {
      assert.ok(error instanceof GatewayError, String(error));
      return error;
    }
    assert.fail('the connection was not refused');
  }

  test('an untrusted server certificate is refused with its thumbprint and the fix; trusting it lets the gateway in', async () => {
    const error = await refusal({ security_mode: 'SignAndEncrypt', security_policy: 'Basic256Sha256' });
    assert.equal(error.code, 'OPCUA_CERT_UNTRUSTED');
    const [rejected] = listCertificates(pki.path).filter((c) => c.state === 'rejected');
    assert.ok(rejected, 'the refused certificate is kept in rejected/');
    assert.match(error.message, new RegExp(`presented certificate ${rejected.thumbprint}`));
    assert.match(error.describe(), /gateway certs trust <thumbprint>/);
    trustCertificate(pki.path, rejected.thumbprint.slice(0, 12));
    await connectOnce({ security_mode: 'SignAndEncrypt', security_policy: 'Basic256Sha256' });
  });

  for (const policy of POLICIES) {
    for (const mode of ['Sign', 'SignAndEncrypt'] as const) {
      test(`${mode} with ${policy} connects`, async () => {
        await connectOnce({ security_mode: mode, security_policy: policy });
      });
    }
  }

  test('None connects', async () => {
    await connectOnce({ security_mode: 'None' });
  });

  test('the gateway creates its own certificate once and keeps it', async () => {
    const own = join(pki.path, 'own', 'certs');
    const [file] = readdirSync(own).filter((name) => name.endsWith('.pem'));
    assert.ok(file, 'an application instance certificate in pki/own/certs');
    const before = readFileSync(join(own, file));
    await connectOnce({ security_mode: 'SignAndEncrypt', security_policy: 'Basic256Sha256' });
    assert.deepEqual(readFileSync(join(own, file)), before);
  });

  test('a user with the password from the environment opens a session; a wrong password is refused', async () => {
    const user = { kind: 'username' as const, username: 'operator', password_env: 'UA_PASSWORD' };
    await connectOnce({ security_mode: 'SignAndEncrypt', user }, { UA_PASSWORD: 'hunter2' });
    const wrong = await refusal({ security_mode: 'SignAndEncrypt', user }, { UA_PASSWORD: 'nope' });
    assert.equal(wrong.code, 'OPCUA_SESSION');
    const missing = await refusal({ security_mode: 'SignAndEncrypt', user }, {});
    assert.equal(missing.code, 'OPCUA_CREDENTIALS');
    assert.match(missing.message, /UA_PASSWORD is not set/);
  });
});

describe('OPC UA untrusted server under the runner', () => {
  test('no crash loop: retries with backoff, one warning, comm alarm after comm_loss_after, recovers once trusted', async () => {
    const pki = tempDir('opcua-untrusted-');
    const server = await SimulatedOpcuaServer.start(boilerDevice());
    server.set('level', 5);
    const lines: { msg: string }[] = [];
    const sink = { received: 0, comm: [] as boolean[] };
    const device = boilerDevice({
      endpoint: server.endpoint,
      security_mode: 'SignAndEncrypt',
      comm_loss_after: 2,
    });
    const recording = createLogger('warn', {
      write: (line: string) => {
        lines.push(JSON.parse(line) as { msg: string });
      },
    });
    const runner = new DeviceRunner({
      adapter: createOpcuaAdapter(device, recording, { pkiDir: pki.path, env: {} }),
      pollIntervalMs: 1000,
      commLossAfter: 2,
      logger: recording,
      backoff: new Backoff({ initialMs: 100, maxMs: 400 }),
      sink: {
        readings: (readings) => {
          sink.received += readings.length;
          return true;
        },
        communication: (_id, lost) => {
          sink.comm.push(lost);
          return true;
        },
      },
    });
    runner.start();
    try {
      await until(() => sink.comm.includes(true), 'the comm alarm', 10_000);
      assert.match(runner.status.lastError ?? '', /certificate is not trusted/);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const failures = runner.status.consecutiveFailures;
      assert.ok(failures >= 2 && failures <= 10, `backoff spaces the attempts (${failures} in about 1.5 s)`);
      const warnings = lines.filter((line) => /OPCUA_CERT_UNTRUSTED/.test(line.msg));
      assert.equal(warnings.length, 1, 'the refusal is logged once, not on every attempt');
      const [rejected] = listCertificates(pki.path).filter((c) => c.state === 'rejected');
      trustCertificate(pki.path, (rejected as { thumbprint: string }).thumbprint);
      await until(() => sink.comm.at(-1) === false && sink.received > 0, 'connected once trusted', 10_000);
    } finally {
      await runner.stop();
      await server.stop();
      pki.remove();
    }
  });
});

describe('OPC UA X.509 user', () => {
  test('a user certificate and key from files open a session', async () => {
    const pki = tempDir('opcua-x509-');
    const server = await SimulatedOpcuaServer.start(boilerDevice(), { allowAnonymous: false });
    server.set('level', 5);
    try {
      // Any certificate with its key will do as a user certificate; the simulator accepts unknown ones.
      const userPki = join(pki.path, 'user');
      await SimulatedOpcuaServer.start(boilerDevice(), { pkiDir: userPki }).then((s) => s.stop());
      const [certificate] = readdirSync(join(userPki, 'own', 'certs')).filter((name) =>
        name.endsWith('.pem'),
      );
      const user = {
        kind: 'certificate' as const,
        cert_file: join(userPki, 'own', 'certs', certificate as string),
        key_file: join(userPki, 'own', 'private', 'private_key.pem'),
      };
      const device = boilerDevice({
        endpoint: server.endpoint,
        security_mode: 'SignAndEncrypt',
        trust_on_first_use: true,
        user,
      });
      const adapter = createOpcuaAdapter(device, logger, {
        pkiDir: join(pki.path, 'gateway'),
        env: {},
      }) as PushAdapter;
      const link = new RecordingLink();
      const session = await adapter.connect(link);
      try {
        await link.until('level', (r) => r.value === 5);
      } finally {
        await session.close();
      }
      const anonymous = createOpcuaAdapter(
        boilerDevice({ endpoint: server.endpoint, security_mode: 'SignAndEncrypt' }),
        logger,
        { pkiDir: join(pki.path, 'gateway'), env: {} },
      ) as PushAdapter;
      await assert.rejects(anonymous.connect(new RecordingLink()), (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.code, 'OPCUA_SESSION');
        return true;
      });
    } finally {
      await server.stop();
      pki.remove();
    }
  });
});

describe('OPC UA security mismatch', () => {
  let server: SimulatedOpcuaServer;
  const pki = tempDir('opcua-mismatch-');

  before(async () => {
    server = await SimulatedOpcuaServer.start(boilerDevice(), {
      securityModes: ['SignAndEncrypt'],
      securityPolicies: ['Basic256Sha256'],
    });
  });
  after(async () => {
    await server.stop();
    pki.remove();
  });

  test('a mode or policy the server does not offer is refused, naming what it offers', async () => {
    const device = boilerDevice({
      endpoint: server.endpoint,
      security_mode: 'Sign',
      security_policy: 'Aes256_Sha256_RsaPss',
      trust_on_first_use: true,
    });
    const adapter = createOpcuaAdapter(device, logger, { pkiDir: pki.path, env: {} }) as PushAdapter;
    await assert.rejects(adapter.connect(new RecordingLink()), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.code, 'OPCUA_SECURITY', error.message);
      assert.match(
        error.message,
        /has no endpoint with Sign \/ Aes256_Sha256_RsaPss; it offers SignAndEncrypt \/ Basic256Sha256/,
      );
      return true;
    });
  });
});
