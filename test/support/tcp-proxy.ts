/**
 * A loopback TCP proxy that a test can cut and restore: a database outage for one app without
 * touching the shared PostgreSQL server. `cut()` resets every open connection and refuses new ones
 * (ECONNREFUSED, as a stopped server does); `restore()` listens on the same port again.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Every connection made through the proxy so far. */
  readonly connections: () => number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let made = 0;
  const serve = (): Server =>
    createServer((client) => {
      made += 1;
      const upstream = new (client.constructor as typeof Socket)();
      open.add(client);
      open.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(target.port, target.host, () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const stop = (server: Server) =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
      server.close(() => resolve());
    });

  let server: Server | undefined = serve();
  const port = await listen(server, 0);
  return {
    port,
    connections: () => made,
    async cut() {
      if (!server) return;
      const s = server;
      server = undefined;
      await stop(s);
    },
    async restore() {
      if (server) return;
      server = serve();
      await listen(server, port);
    },
    async close() {
      if (server) await stop(server);
      server = undefined;
    },
  };
}
