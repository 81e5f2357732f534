import type { HttpApp } from './http-app.js';

/** Where to listen: a TCP host and port, or a Unix socket with its file mode. */
export type ListenTarget = { host: string; port: number } | { path: string; mode?: number };

/**
 * What an HTTP adapter (Fastify, Express) provides to the host. The adapter translates requests for
 * `HttpApp` and writes its answers; it decides nothing itself.
 */
export interface HttpServer {
  /** Starts listening; resolves to the bound address (`http://127.0.0.1:port` or the socket path). */
  listen(target: ListenTarget): Promise<string>;
  /** Stops accepting, lets requests in flight finish, then closes idle connections. */
  close(): Promise<void>;
}

export type HttpServerFactory = (app: HttpApp) => HttpServer;
