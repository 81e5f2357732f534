/**
 * What `npm run bench` measures: a list of scenarios, run in this order (`--only <name>` picks some).
 *
 * A scenario names the servers it needs (each a script in servers/, started in its own process) and the
 * targets it drives (an autocannon request against one of those servers). A target with `compare`
 * gets a ratio to another target of the same scenario, printed next to its goal; nothing is asserted.
 *
 * Adding one is adding an object here: a passkey sign-in scenario gives its requests `setupRequest` /
 * `onResponse` hooks (see lib/load.mjs), an OIDC-grants scenario adds a server script for
 * node-oidc-provider. Figures other than rps and p99 (CPU time per request) belong in lib/load.mjs's
 * result and lib/report.mjs's table; the servers' IPC channel (servers/lifecycle.mjs) is the way to ask a
 * child for its process.cpuUsage().
 *
 * @typedef {{ script: string, args?: string[], env?: Record<string, string> }} ServerSpec
 * @typedef {{ method?: string, path: string, headers?: Record<string, string>, body?: string }} Request
 * @typedef {{ id: string, label: string, server: string, request: Request,
 *   compare?: { with: string, atLeast: number } }} Target
 * @typedef {{ name: string, description: string, servers: Record<string, ServerSpec>, targets: Target[] }} Scenario
 */

/** The goal for Latchkey's throughput on a route that does no I/O, relative to the bare framework. */
const HOST_OVERHEAD_GOAL = 0.8;

/** Latchkey's cheapest routes on one HTTP host, against that framework answering a hello route. */
function hostScenario(host, frameworkName) {
  const compare = { with: 'hello', atLeast: HOST_OVERHEAD_GOAL };
  return {
    name: host,
    description: `Latchkey on the ${frameworkName} host vs bare ${frameworkName}`,
    servers: {
      bare: { script: `bare-${host}.mjs` },
      latchkey: { script: 'latchkey.mjs', args: [host] },
    },
    targets: [
      { id: 'hello', label: `bare ${frameworkName} GET /hello`, server: 'bare', request: { path: '/hello' } },
      {
        id: 'discovery',
        label: 'Latchkey GET /.well-known/openid-configuration',
        server: 'latchkey',
        request: { path: '/.well-known/openid-configuration' },
        compare,
      },
      {
        id: 'jwks',
        label: 'Latchkey GET /.well-known/jwks.json',
        server: 'latchkey',
        request: { path: '/.well-known/jwks.json' },
        compare,
      },
    ],
  };
}

/** @type {Scenario[]} */
export const scenarios = [hostScenario('fastify', 'Fastify 5'), hostScenario('express', 'Express 5')];
