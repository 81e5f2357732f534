import type { Database } from '../storage/database.port.js';
import { problems } from '../errors/problem.errors.js';
import { defineRoute, type RouteDef } from '../http/route.js';

/** `GET`/`HEAD /healthz`: 204 only while the database answers (Pocket ID answers 204 unconditionally). */
export function healthRoutes(database: Pick<Database, 'ping'>): RouteDef[] {
  return [
    defineRoute({
      name: 'health.check',
      method: 'GET',
      path: '/healthz',
      auth: 'public',
      database: false,
      // Pocket ID: /healthz is never rate limited, so a load balancer's probes are never refused.
      rateLimit: false,
      summary: 'Liveness and database reachability',
      tags: ['health'],
      async handler() {
        try {
          await database.ping();
        } catch {
          throw problems.serviceUnavailable('The database does not answer');
        }
        return { status: 204 };
      },
    }),
  ];
}
