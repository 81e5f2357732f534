/**
 * What `npm run bench` measures: a list of scenarios, run in this order (`--only <name>` picks some).
 *
 * A scenario names the servers it needs (each a script in servers/, started in its own process) and the
 * targets it drives (an autocannon request against one of those servers). A target with `compare`
 * gets a ratio to another target of the same scenario, printed next to its goal (`atLeast`) if it has
 * one; nothing is asserted.
 *
 * A target whose request depends on the running server has a `load(fixture, settings)` instead of a
 * fixed `request`: the fixture is what its server's `prepare(url)` returned (a client, a session cookie),
 * and the load is either an autocannon request (with `setupRequest` / `onResponse` hooks for per-request
 * state such as a token pool, and `before()` to run before each measurement) or a `measure(load)` of its
 * own (lib/loop.mjs: a closed loop for flows of several requests). The grants scenarios (lib/grants.mjs)
 * are built that way. Figures other than rps and p99 (CPU time per request) belong in lib/load.mjs's
 * result and lib/report.mjs's table; the servers' IPC channel (servers/lifecycle.mjs) is the way to ask a
 * child for its process.cpuUsage().
 *
 * A scenario with a `script` instead is a benchmark with its own driver and report (passkey sign-in,
 * the UI's size): the runner runs `node test/bench/<script>` and shows what it prints.
 *
 * @typedef {{ url: string, close?(): void }} Fixture
 * @typedef {{ script: string, args?: string[], env?: Record<string, string>,
 *   prepare?: (url: string) => Promise<Fixture> }} ServerSpec
 * @typedef {{ method?: string, path: string, headers?: Record<string, string>, body?: string,
 *   setupRequest?: Function, onResponse?: Function }} Request
 * @typedef {{ request?: Request, measure?: (load: object) => Promise<object>, before?: () => Promise<void>,
 *   check?: () => Promise<unknown>, close?: () => void }} Load
 * @typedef {{ id: string, label: string, server: string, request?: Request,
 *   load?: (fixture: Fixture, settings: { connections: number }) => Load | Promise<Load>,
 *   compare?: { with: string, atLeast?: number } }} Target
 * @typedef {{ name: string, description: string, servers: Record<string, ServerSpec>, targets: Target[],
 *   compareLabel?: string }} MeasuredScenario
 * @typedef {{ name: string, description: string, script: string, args?: string[], seconds: number }} ScriptScenario
 * @typedef {MeasuredScenario | ScriptScenario} Scenario
 */
import { grantTargets, prepareLatchkey, preparePeer } from './lib/grants.mjs';

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
        // No goal: the ceiling for any server sending Latchkey's headers and bytes (servers/latchkey-shaped.mjs).
        id: 'shaped',
        label: `bare ${frameworkName}, Latchkey's headers, 2 KB`,
        server: 'bare',
        request: { path: '/shaped' },
        compare: { with: 'hello' },
      },
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

/** Issue 12's goals for Latchkey's requests per second relative to node-oidc-provider's, by algorithm. */
const GRANT_GOALS = {
  ES256: { clientCredentials: 1.5, refresh: 1.0 },
  RS256: { clientCredentials: 1.0, refresh: 1.0 },
};

/**
 * The OIDC grants side by side with node-oidc-provider (servers/oidc-provider.mjs, configured as
 * Latchkey behaves) with one signing algorithm: Latchkey on the Fastify host with SQLite, the peer on
 * its own server with memory storage. Each Latchkey target is compared with the peer's same target.
 */
function grantsScenario(alg) {
  const goals = GRANT_GOALS[alg];
  const vsPeer = (what, atLeast) => ({ with: `${what}-peer`, ...(atLeast ? { atLeast } : {}) });
  const peer = grantTargets('peer', 'oidc-provider');
  const latchkey = grantTargets('latchkey', 'Latchkey', {
    cc: vsPeer('cc', goals.clientCredentials),
    code: vsPeer('code'),
    refresh: vsPeer('refresh', goals.refresh),
    userinfo: vsPeer('userinfo'),
  });
  return {
    name: `grants-${alg.toLowerCase()}`,
    description: `OIDC grants with ${alg} keys: Latchkey (Fastify, SQLite) vs node-oidc-provider (memory)`,
    compareLabel: 'vs peer',
    servers: {
      peer: { script: 'oidc-provider.mjs', args: [alg], prepare: preparePeer },
      latchkey: { script: 'latchkey.mjs', args: ['fastify', alg], prepare: prepareLatchkey },
    },
    // Each pair side by side, so the alternating rounds put both sides of a ratio next to each other.
    targets: peer.flatMap((target, i) => [target, latchkey[i]]),
  };
}

/** @type {Scenario[]} */
export const scenarios = [
  hostScenario('fastify', 'Fastify 5'),
  hostScenario('express', 'Express 5'),
  grantsScenario('ES256'),
  grantsScenario('RS256'),
  {
    name: 'ui-size',
    description: "the sign-in page's gzipped JavaScript against its 60 KB budget (needs ui/dist)",
    script: 'ui-size.mjs',
    seconds: 1,
  },
  {
    name: 'passkey-signin',
    description: 'passkey sign-ins per second on SQLite and server CPU per sign-in (goal ≤ 2.0× bare verify)',
    script: 'passkey-signin.mjs',
    args: ['fastify'],
    seconds: 25,
  },
];
