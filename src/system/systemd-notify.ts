/**
 * The systemd notification protocol (sd_notify): READY=1, WATCHDOG=1,
 * STOPPING=1 and STATUS= lines sent as datagrams to $NOTIFY_SOCKET.
 *
 * Node has no AF_UNIX datagram sockets, and every npm package that adds them
 * is a native addon compiled at install time (npm no longer runs install
 * scripts unless approved, and a gateway would need a compiler). The
 * `systemd-notify` command sends from its own short-lived process, which
 * systemd may fail to attribute to the service once it has exited. So one
 * small long-lived Perl process (perl-base is part of every Debian-family
 * system, its Socket module included) holds the socket for the gateway: it
 * reads NUL-terminated messages on stdin and sends each as one datagram.
 * Because it stays alive inside the service's cgroup, systemd attributes its
 * messages reliably with NotifyAccess=all. When the gateway dies, stdin
 * closes and the sender exits with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { GatewayError } from './errors.ts';

const SENDER = String.raw`
use strict; use Socket;
my $path = $ENV{NOTIFY_SOCKET}; $path =~ s/^@/\0/;
socket(my $socket, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\n";
my $address = pack_sockaddr_un($path);
local $/ = "\0";
while (my $message = <STDIN>) {
  chomp $message;
  send($socket, $message, 0, $address) or die "send to $ENV{NOTIFY_SOCKET}: $!\n";
}
`;

export interface ServiceNotifier {
  /** The service is up: systemd moves it from activating to active. */
  ready(status: string): void;
  status(text: string): void;
  /** The main loop is healthy: resets systemd's watchdog timer. */
  watchdog(): void;
  stopping(status: string): void;
  /** Ends the sender once everything was handed to it. */
  close(): Promise<void>;
}

/** A notifier when systemd supervises the process (NOTIFY_SOCKET set), otherwise undefined. */
export function systemdNotifier(
  env: Readonly<Record<string, string | undefined>>,
  onError: (error: GatewayError) => void,
): ServiceNotifier | undefined {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return undefined;
  if (!socket.startsWith('/') && !socket.startsWith('@')) {
    onError(new GatewayError('SYSTEMD_NOTIFY', `NOTIFY_SOCKET=${socket} is not a unix socket path`));
    return undefined;
  }
  return new PerlSender(socket, onError);
}

class PerlSender implements ServiceNotifier {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #failed = false;

  constructor(socket: string, onError: (error: GatewayError) => void) {
    const fail = (detail: string) => {
      if (this.#failed) return;
      this.#failed = true;
      onError(new GatewayError('SYSTEMD_NOTIFY', detail));
    };
    this.#child = spawn('perl', ['-e', SENDER], {
      env: { NOTIFY_SOCKET: socket, PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    this.#child.stdin?.on('error', () => {});
    this.#exited = new Promise((resolve) => {
      this.#child.once('error', (error) => {
        fail(`cannot start perl: ${error.message}`);
        resolve();
      });
      this.#child.once('exit', (code, signal) => {
        if (code !== 0) fail(`the sender stopped (${signal ?? `exit ${code}`}) ${stderr.trim()}`.trim());
        resolve();
      });
    });
  }

  #send(message: string): void {
    const stdin = this.#child.stdin;
    if (this.#failed || !stdin?.writable) return;
    stdin.write(`${message}\0`);
  }

  ready(status: string): void {
    this.#send(`READY=1\nSTATUS=${oneLine(status)}`);
  }

  status(text: string): void {
    this.#send(`STATUS=${oneLine(text)}`);
  }

  watchdog(): void {
    this.#send('WATCHDOG=1');
  }

  stopping(status: string): void {
    this.#send(`STOPPING=1\nSTATUS=${oneLine(status)}`);
  }

  async close(): Promise<void> {
    this.#child.stdin?.end();
    await this.#exited;
  }
}

/** A STATUS= value ends at the first newline; a NUL would end the message early. */
function oneLine(text: string): string {
  return text.replace(/[\n\0]+/g, ' ');
}
