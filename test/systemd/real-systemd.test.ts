/**
 * The unit in systemd/ under a real systemd, PID 1 of a SystemdBox, with the
 * gateway polling simulated PLCs and producing to a real broker:
 * `systemctl start` returns once the gateway sent READY=1, the watchdog
 * restarts a gateway that hangs, `systemctl stop` lets the batch in flight
 * finish and loses nothing, and LoadCredential= hands the operator token to
 * the gateway. A drop-in shortens the watchdog and restart delay so the test
 * takes seconds; every other setting is the unit's own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/kafka/net.ts';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import { tempDir } from '../harness/fixtures.ts';
import { CREDENTIALS_DIR, installGatewayService, SERVICE } from '../harness/gateway-service.ts';
import { consumeAll, ownBroker, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { SystemdBox } from '../harness/systemd-box.ts';
import { until } from '../harness/wait.ts';

const TOKEN = 'operator-token-from-a-credential';
const WATCHDOG_SEC = 3;
const DROP_IN = `[Service]\nWatchdogSec=${WATCHDOG_SEC}s\nRestartSec=1s\n`;
// The stop test stops the gateway within this time of a send the broker never answers; short,
// so the test is, but long enough that the stop surely begins while the batch is in flight.
const REQUEST_TIMEOUT_MS = 5000;

interface GatewayLog {
  msg: string;
  [field: string]: unknown;
}

function gatewayLogs(journal: readonly string[]): GatewayLog[] {
  return journal.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as GatewayLog);
}

describe('the service unit under a real systemd', () => {
  let temp: ReturnType<typeof tempDir>;
  // A broker of its own: the stop test freezes it to hold a batch in flight.
  let broker: KafkaBroker;
  let brokerFrozen = false;
  let box: SystemdBox;
  let plant: TestSite;
  let listener: string;
  const topic = uniqueTopic('systemd');

  const show = (...properties: string[]) => box.show(SERVICE, properties);
  const setLevel = (token: string) =>
    fetch(`${listener}/api/loglevel?component=buffer&level=debug`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
    });

  before(async () => {
    // A machine that cannot build the box fails the run: a skipped proof passes unnoticed in CI.
    const missing = SystemdBox.unavailable();
    if (missing) throw new Error(`cannot run the service under a real systemd here: ${missing}`);
    temp = tempDir('systemd-site-');
    [broker, box] = await Promise.all([ownBroker({ heapMb: 384 }), SystemdBox.start()]);
    const port = await freePort();
    listener = `http://127.0.0.1:${port}`;
    plant = await startTestSite({
      dir: temp.dir,
      brokers: broker.brokers,
      topic,
      customize: ({ gateway: { state_dir: _stateDir, ...gateway }, ...site }) => ({
        ...site,
        gateway: {
          ...gateway,
          kafka: { ...gateway.kafka, request_timeout_ms: REQUEST_TIMEOUT_MS },
          listener: { port, operator_token: { file: `${CREDENTIALS_DIR}/secret_operator-token` } },
        },
      }),
    });
    await installGatewayService(box, {
      site: plant.site,
      credentials: { 'operator-token': TOKEN },
      dropIn: DROP_IN,
    });
  });

  after(async () => {
    if (brokerFrozen && broker.pid) process.kill(broker.pid, 'SIGCONT');
    await box?.stop();
    await plant?.stopPlant();
    await broker?.stop();
    temp?.remove();
  });

  test('systemctl start returns once the gateway sent READY=1', async () => {
    const before = await show('ActiveState', 'Type', 'NotifyAccess');
    assert.deepEqual(before, { ActiveState: 'inactive', Type: 'notify', NotifyAccess: 'all' });

    await box.mustRun('systemctl', ['start', SERVICE]);

    // Active right away: systemctl waited for READY=1, and STATUS= came with it.
    const after = await show('ActiveState', 'SubState', 'StatusText', 'NRestarts', 'WatchdogUSec');
    assert.equal(after.ActiveState, 'active');
    assert.equal(after.SubState, 'running');
    assert.match(after.StatusText ?? '', /^2\/2 devices reachable; \d+ events buffered; broker (up|down)$/);
    assert.equal(after.NRestarts, '0');
    assert.equal(after.WatchdogUSec, `${WATCHDOG_SEC}s`);
    assert.equal((await box.mustRun('systemctl', ['is-active', SERVICE])).trim(), 'active');
    // READY=1 comes after the listener and the first poll of every device.
    assert.equal((await fetch(`${listener}/readyz`)).status, 200);
  });

  test('the operator token reaches the gateway through LoadCredential=', async () => {
    const { MainPID } = await show('MainPID');
    const environment = await box.mustRun('cat', [`/proc/${MainPID}/environ`]);
    assert.ok(
      environment.split('\0').includes(`CREDENTIALS_DIRECTORY=${CREDENTIALS_DIR}`),
      'systemd tells the gateway where its credentials are',
    );
    // The source stays root's: the service user reads the secret only through systemd.
    const direct = await box.run('runuser', [
      '-u',
      'edge-alarm-gateway',
      '--',
      'cat',
      '/etc/edge-alarm-gateway/credentials/operator-token',
    ]);
    assert.notEqual(direct.code, 0);
    assert.match(direct.stderr, /Permission denied/);

    assert.equal((await setLevel(TOKEN)).status, 200, 'the token of the credential is accepted');
    assert.equal((await setLevel('a-wrong-token')).status, 401);
  });

  test('the watchdog restarts a gateway that hangs', async () => {
    const before = await show('MainPID', 'NRestarts');
    // A frozen process sends nothing: the pings stop as they would in a hang.
    await box.mustRun('systemctl', ['kill', '--kill-whom=main', '--signal=SIGSTOP', SERVICE]);

    let now: Record<string, string> = {};
    await until(
      async () => {
        now = await show('MainPID', 'NRestarts', 'ActiveState', 'SubState');
        return now.NRestarts === '1' && now.ActiveState === 'active';
      },
      'systemd to restart the hung gateway',
      WATCHDOG_SEC * 1000 + 20_000,
      200,
    );
    assert.notEqual(now.MainPID, before.MainPID, 'a new process');
    assert.equal(now.SubState, 'running');
    const journal = await box.journal(SERVICE);
    assert.ok(
      journal.some((line) => line.includes(`Watchdog timeout (limit ${WATCHDOG_SEC}s)!`)),
      journal.join('\n'),
    );
    assert.equal((await fetch(`${listener}/readyz`)).status, 200);
  });

  test('systemctl stop lets the batch in flight finish and loses nothing', async (t) => {
    await until(
      async () => / broker up$/.test((await show('StatusText')).StatusText ?? ''),
      'the gateway to reach the broker',
      20_000,
      200,
    );
    // The broker stops answering: the batch of the alarm below stays in flight.
    assert.ok(broker.pid);
    process.kill(broker.pid, 'SIGSTOP');
    brokerFrozen = true;
    plant.press.set('oil_temperature', 95);
    await until(
      async () => gatewayLogs(await box.journal(SERVICE)).some((line) => line.transition === 'raise'),
      'the alarm to be raised',
      10_000,
      100,
    );

    // systemd says how the main process ended, and that STOPPING=1 came, only at debug level.
    await box.mustRun('systemd-analyze', ['set-log-level', 'debug']);
    const started = Date.now();
    await box.mustRun('systemctl', ['stop', SERVICE]);
    const stopMs = Date.now() - started;
    await box.mustRun('systemd-analyze', ['set-log-level', 'info']);
    t.diagnostic(`systemctl stop with a batch in flight took ${stopMs} ms`);

    const journal = await box.journal(SERVICE);
    const context = journal.filter((line) => !/unit-root|namespace mount|system call/.test(line)).join('\n');
    assert.deepEqual(await show('ActiveState', 'Result', 'TimeoutStopUSec'), {
      ActiveState: 'inactive',
      Result: 'success',
      TimeoutStopUSec: '45s',
    });
    assert.ok(stopMs < 45_000, `stopped in ${stopMs} ms, within TimeoutStopSec`);
    // Exit code 0 of its own accord: not ended by SIGTERM itself, nor by SIGKILL at the timeout.
    const ended = journal.filter((line) => line.includes('Main process exited')).at(-1);
    assert.match(ended ?? '', /code=exited, status=0\/SUCCESS/, context);
    // KillMode=mixed: the notification sender outlived the gateway's SIGTERM.
    assert.ok(
      journal.some((line) => line.includes('(STOPPING=1')),
      context,
    );

    const logs = gatewayLogs(journal);
    const shutdown = logs.findLastIndex((line) => line.msg.startsWith('shutting down'));
    const stopped = logs.findLastIndex((line) => line.msg === 'gateway stopped');
    assert.ok(shutdown >= 0 && stopped > shutdown, context);
    // The stop waited for the unanswered batch to end (at gateway.kafka.request_timeout_ms) ...
    assert.ok(
      logs.slice(shutdown, stopped).some((line) => line.code === 'PRODUCER_SEND'),
      `the batch was in flight when the stop began:\n${context}`,
    );
    // ... and kept it in the buffer.
    const lastSeq = Number(logs[stopped]?.last_seq);
    assert.ok(Number(logs[stopped]?.backlog) >= 1, context);

    // The broker answers again; the next start sends what the stop kept.
    process.kill(broker.pid, 'SIGCONT');
    brokerFrozen = false;
    await box.mustRun('systemctl', ['start', SERVICE]);
    const records = await consumeAll(broker.brokers, topic, { expected: lastSeq, timeoutMs: 30_000 });
    const seqs = new Set(records.map((record) => Number(JSON.parse(record.value).seq)));
    for (let seq = 1; seq <= lastSeq; seq++) {
      assert.ok(seqs.has(seq), `event ${seq} of ${lastSeq} reached the broker`);
    }
    await box.mustRun('systemctl', ['stop', SERVICE]);
  });
});
