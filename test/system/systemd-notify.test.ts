import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GatewayError } from '../../src/system/errors.ts';
import { systemdNotifier } from '../../src/system/systemd-notify.ts';
import { tempDir } from '../harness/fixtures.ts';
import { NotifySocket } from '../harness/notify-socket.ts';
import { requiredTool } from '../harness/required-tool.ts';
import { hasSocat } from '../harness/socat.ts';
import { until } from '../harness/wait.ts';

describe('systemd notifications over a real datagram socket', {
  skip: requiredTool(!hasSocat() && 'socat (Debian package socat)'),
}, () => {
  let temp: ReturnType<typeof tempDir>;
  let socket: NotifySocket;

  before(async () => {
    temp = tempDir();
    socket = await NotifySocket.bind(temp.dir);
  });

  after(async () => {
    await socket.close();
    temp.remove();
  });

  test('each message arrives as one datagram, with STATUS= on one line', async () => {
    const errors: GatewayError[] = [];
    const notifier = systemdNotifier({ NOTIFY_SOCKET: socket.path }, (error) => errors.push(error));
    assert.ok(notifier);
    notifier.ready('2/2 devices\nreachable');
    notifier.watchdog();
    notifier.status('reload refused');
    notifier.stopping('stopping');
    await notifier.close();
    await until(() => socket.received.includes('STOPPING=1'), 'the last message');
    assert.equal(
      socket.received,
      'READY=1\nSTATUS=2/2 devices reachable' +
        'WATCHDOG=1' +
        'STATUS=reload refused' +
        'STOPPING=1\nSTATUS=stopping',
    );
    assert.deepEqual(errors, []);
  });
});

test('no NOTIFY_SOCKET: no notifier, nothing started', () => {
  assert.equal(
    systemdNotifier({}, () => assert.fail('no error expected')),
    undefined,
  );
});

test('a NOTIFY_SOCKET that is no unix socket path is reported, not used', () => {
  const errors: GatewayError[] = [];
  assert.equal(
    systemdNotifier({ NOTIFY_SOCKET: 'vsock:2:1234' }, (error) => errors.push(error)),
    undefined,
  );
  assert.equal(errors[0]?.code, 'SYSTEMD_NOTIFY');
});

test('a socket nobody listens on is reported once, never thrown', async () => {
  const temp = tempDir();
  const errors: GatewayError[] = [];
  const notifier = systemdNotifier({ NOTIFY_SOCKET: `${temp.dir}/absent.sock` }, (error) =>
    errors.push(error),
  );
  notifier?.ready('up');
  notifier?.watchdog();
  await notifier?.close();
  temp.remove();
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.code, 'SYSTEMD_NOTIFY');
  assert.match(errors[0]?.message ?? '', /absent\.sock: No such file/);
});
