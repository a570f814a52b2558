/**
 * A loopback TCP proxy that can drop the network silently: in blackhole mode
 * it keeps every connection open but forwards nothing, the way a pulled cable
 * or a dead router looks to both ends (no RST, no FIN).
 */
import net, { type AddressInfo } from 'node:net';

export class TcpProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #blackhole = false;

  private constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      this.#sockets.add(client);
      client.on('close', () => this.#sockets.delete(client));
      client.on('error', () => {});
      if (this.#blackhole) {
        client.on('data', () => {});
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      this.#sockets.add(upstream);
      upstream.on('close', () => {
        this.#sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.on('data', (data) => {
        if (!this.#blackhole) upstream.write(data);
      });
      upstream.on('data', (data) => {
        if (!this.#blackhole) client.write(data);
      });
    });
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** From now on nothing passes, and nothing is closed. */
  blackhole(): void {
    this.#blackhole = true;
  }

  /** The network is back: the silenced connections are gone for good (their state is lost), new ones pass. */
  restore(): void {
    this.#blackhole = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
