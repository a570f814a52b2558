/** Loopback port helpers for brokers that must not collide with anything else. */
import { createServer } from 'node:net';

/**
 * A port the kernel just handed out on 127.0.0.1. It is free when this returns;
 * the small window before the broker binds it is accepted for tests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
