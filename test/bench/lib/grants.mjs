import { createHash, randomBytes } from 'node:crypto';
import { basicAuth, cookiesOf, createClient, FORM } from './http.mjs';
import { FlowError, measureLoop } from './loop.mjs';
import { CALLBACK, PEER_CLIENT, PEER_USERINFO_CLIENT, SCOPE } from './peer-config.mjs';

/**
 * The grants scenarios' runner side: how each provider is set up once it runs (`prepareLatchkey`,
 * `preparePeer`, both returning the same kind of fixture), and the four loads every provider gets
 * (`grantTargets`): client credentials, the code flow with its authorization request, refresh with
 * rotation, and userinfo.
 *
 * @typedef {{
 *   url: string,
 *   http: ReturnType<typeof createClient>,
 *   paths: { authorize: string, token: string, userinfo: string },
 *   client: { id: string, secret: string },
 *   cookie: string,
 *   userinfoToken: string,
 *   close(): void,
 * }} Fixture
 */

/** Refresh tokens kept ready per connection: the pool outlives tokens lost when a measurement stops. */
const POOL_PER_CONNECTION = 4;
/** Code flows in parallel while a pool is being filled. */
const FILL_CONCURRENCY = 8;

const form = (fields) => new URLSearchParams(fields).toString();

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizePath(fixture, client, challenge) {
  return `${fixture.paths.authorize}?${form({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: CALLBACK,
    scope: SCOPE,
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`;
}

function expectStatus(response, statuses, what) {
  if (!statuses.includes(response.status)) {
    throw new FlowError(`${what} answered ${response.status}: ${response.body.slice(0, 300)}`);
  }
}

/** The code of an authorization response's redirect to the callback. */
function codeOf(response) {
  expectStatus(response, [302, 303], 'authorize');
  const location = new URL(String(response.headers.location), 'http://unused');
  const code = location.searchParams.get('code');
  if (!code || !location.href.startsWith(CALLBACK)) {
    throw new FlowError(`authorize redirected to ${response.headers.location}`);
  }
  return code;
}

/**
 * One code flow with a signed-in session: GET the authorization endpoint with the session cookie (a code
 * at once: the consent is remembered), then redeem the code with its PKCE verifier.
 * @returns {Promise<{ bytes: number, tokens: Record<string, string> }>}
 */
export async function codeFlow(fixture, http = fixture.http, client = fixture.client) {
  const { verifier, challenge } = pkce();
  const authorize = await http.request('GET', authorizePath(fixture, client, challenge), {
    headers: { cookie: fixture.cookie },
  });
  const code = codeOf(authorize);
  const token = await http.request('POST', fixture.paths.token, {
    headers: { authorization: basicAuth(client.id, client.secret), 'content-type': FORM },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }),
  });
  expectStatus(token, [200], 'token (authorization_code)');
  return { bytes: authorize.bytes + token.bytes, tokens: JSON.parse(token.body) };
}

const json = (body) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * Latchkey, set up through its own API as an operator would: the first admin (`POST
 * /api/signup/setup`, whose answer carries a session cookie: the signed-in person of every
 * authorization), a confidential client with PKCE required and a secret, and one consent given through
 * the interaction API, so later authorizations answer with a code at once.
 * @returns {Promise<Fixture>}
 */
export async function prepareLatchkey(url) {
  const http = createClient(url, { connections: FILL_CONCURRENCY });
  const setup = await http.request(
    'POST',
    '/api/signup/setup',
    json({ username: 'bench', email: 'bench@example.com', firstName: 'Bench', lastName: 'User' }),
  );
  expectStatus(setup, [200], 'signup setup');
  const cookie = cookiesOf(setup);
  const admin = (method, path, body) =>
    http.request(method, path, { ...json(body), headers: { ...json(body).headers, cookie } });
  const created = await admin('POST', '/api/oidc/clients', {
    name: 'Bench RP',
    callbackURLs: [CALLBACK],
    pkceEnabled: true,
  });
  expectStatus(created, [201], 'client creation');
  const id = JSON.parse(created.body).id;
  const secret = await admin('POST', `/api/oidc/clients/${encodeURIComponent(id)}/secrets`, {});
  expectStatus(secret, [201], 'client secret');

  const fixture = {
    url,
    http,
    paths: { authorize: '/authorize', token: '/api/oidc/token', userinfo: '/api/oidc/userinfo' },
    client: { id, secret: JSON.parse(secret.body).secret },
    cookie,
    userinfoToken: '',
    close: () => http.close(),
  };

  // The first authorization asks for consent; give it once.
  const first = await http.request('GET', authorizePath(fixture, fixture.client, pkce().challenge), {
    headers: { cookie },
  });
  expectStatus(first, [302], 'first authorize');
  const interaction = new URL(String(first.headers.location), url).searchParams.get('interaction');
  const completed = await admin('POST', `/api/oidc/interactions/${interaction}/complete`, {
    step: 'consent',
  });
  expectStatus(completed, [200], 'consent');
  codeOf(await http.request('GET', JSON.parse(completed.body).redirectUrl, { headers: { cookie } }));

  fixture.userinfoToken = (await codeFlow(fixture)).tokens.access_token;
  return fixture;
}

/**
 * node-oidc-provider (servers/oidc-provider.mjs): its clients are static configuration. The session
 * comes from one real login: the authorization request goes to the interaction URL, which the server
 * script finishes as the bench user, and the resumed authorization sets the session cookie. The
 * userinfo token comes from the `bench-userinfo` client (an opaque token without audience, the only
 * kind its userinfo endpoint accepts).
 * @returns {Promise<Fixture>}
 */
export async function preparePeer(url) {
  const http = createClient(url, { connections: FILL_CONCURRENCY });
  const fixture = {
    url,
    http,
    paths: { authorize: '/auth', token: '/token', userinfo: '/me' },
    client: PEER_CLIENT,
    cookie: '',
    userinfoToken: '',
    close: () => http.close(),
  };
  let response = await http.request('GET', authorizePath(fixture, PEER_CLIENT, pkce().challenge));
  let cookie = cookiesOf(response);
  // /auth → /interaction/<uid> → /auth/<uid> → the callback with a code.
  for (let hop = 0; hop < 2; hop++) {
    expectStatus(response, [302, 303], `login hop ${hop + 1}`);
    const next = new URL(String(response.headers.location), url);
    if (next.origin !== url) throw new FlowError(`login redirected to ${next.href}`);
    response = await http.request('GET', next.pathname + next.search, { headers: { cookie } });
    cookie = cookiesOf(response, cookie);
  }
  codeOf(response);
  // Only the session cookies matter from here on.
  fixture.cookie = cookie
    .split('; ')
    .filter((pair) => pair.startsWith('_session'))
    .join('; ');
  if (!fixture.cookie) throw new FlowError('node-oidc-provider set no session cookie');
  fixture.userinfoToken = (await codeFlow(fixture, http, PEER_USERINFO_CLIENT)).tokens.access_token;
  return fixture;
}

/**
 * The four loads of a grants scenario for one provider, as targets of `server` (ids `<what>-<server>`).
 * `compare` maps a load to the target it is compared with and the goal, if it names one.
 * @param {string} server the scenario's server name
 * @param {string} label the provider's name in the table
 * @param {Partial<Record<'cc' | 'code' | 'refresh' | 'userinfo', { with: string, atLeast?: number }>>} [compare]
 * @returns {import('../scenarios.mjs').Target[]}
 */
export function grantTargets(server, label, compare = {}) {
  return [
    {
      id: `cc-${server}`,
      label: `${label} client_credentials`,
      server,
      compare: compare.cc,
      load: (fixture) => ({
        request: {
          method: 'POST',
          path: fixture.paths.token,
          headers: {
            authorization: basicAuth(fixture.client.id, fixture.client.secret),
            'content-type': FORM,
          },
          body: form({ grant_type: 'client_credentials' }),
        },
      }),
    },
    {
      id: `code-${server}`,
      label: `${label} code flow (authorize + token), flows/s`,
      server,
      compare: compare.code,
      load: (fixture, settings) => {
        const http = createClient(fixture.url, { connections: settings.connections });
        const iteration = async () => (await codeFlow(fixture, http)).bytes;
        return {
          check: iteration,
          measure: (load) => measureLoop(iteration, load),
          close: () => http.close(),
        };
      },
    },
    {
      id: `refresh-${server}`,
      label: `${label} refresh_token (rotation)`,
      server,
      compare: compare.refresh,
      load: (fixture, settings) => refreshLoad(fixture, settings.connections * POOL_PER_CONNECTION),
    },
    {
      id: `userinfo-${server}`,
      label: `${label} userinfo`,
      server,
      compare: compare.userinfo,
      load: (fixture) => ({
        request: {
          method: 'GET',
          path: fixture.paths.userinfo,
          headers: { authorization: `Bearer ${fixture.userinfoToken}` },
        },
      }),
    },
  ];
}

/**
 * Refresh with rotation under autocannon: each request takes a refresh token from a pool filled by real
 * code + PKCE flows (`setupRequest`) and puts the rotated one back (`onResponse`). Tokens in flight when
 * a measurement stops are spent but never come back, so the pool is topped up before each measurement.
 */
function refreshLoad(fixture, size) {
  const pool = [];
  const fill = async () => {
    let pending = 0;
    const fillOne = async () => {
      while (pool.length + pending < size) {
        pending++;
        try {
          const { tokens } = await codeFlow(fixture);
          if (!tokens.refresh_token) throw new FlowError('the code grant issued no refresh token');
          pool.push(tokens.refresh_token);
        } finally {
          pending--;
        }
      }
    };
    await Promise.all(Array.from({ length: FILL_CONCURRENCY }, fillOne));
  };
  const headers = {
    authorization: basicAuth(fixture.client.id, fixture.client.secret),
    'content-type': FORM,
  };
  const body = (token) => form({ grant_type: 'refresh_token', refresh_token: token });
  return {
    before: fill,
    async check() {
      await fill();
      const response = await fixture.http.request('POST', fixture.paths.token, {
        headers,
        body: body(pool.shift()),
      });
      expectStatus(response, [200], 'token (refresh_token)');
      pool.push(JSON.parse(response.body).refresh_token);
    },
    request: {
      method: 'POST',
      path: fixture.paths.token,
      headers,
      setupRequest(request) {
        // An empty pool would restart autocannon's request list in a loop: the pool is sized above the
        // connection count, and every 200 puts a token back, so it cannot run dry.
        return { ...request, body: body(pool.shift()) };
      },
      onResponse(status, responseBody) {
        if (status === 200) pool.push(JSON.parse(responseBody).refresh_token);
      },
    },
  };
}
