/**
 * node-oidc-provider, the certified peer of the grants benchmark: `oidc-provider.mjs <ES256|RS256>`.
 * Configured as Latchkey behaves, so both sides do the same work per request:
 *
 * - one confidential client (`bench`, client_secret_basic) with the code, refresh and client credentials
 *   grants, and a second one (`bench-userinfo`, below); callback https://rp.example.com/cb; PKCE S256;
 * - the scopes and claims Latchkey releases (`openid profile email`, the profile and email claims in the
 *   ID token as well, as Pocket ID puts them there: `conformIdTokenClaims: false`);
 * - a refresh token with every code grant (as Latchkey, which needs no `offline_access`), rotated on
 *   every use (`rotateRefreshToken: true`); tokens without `offline_access` end with the session, as
 *   Latchkey's do;
 * - RFC 9068 JWT access tokens: resource indicators on, with a default resource whose format is `jwt`
 *   for every grant (otherwise `client_credentials` and the code grant hand out opaque tokens); the
 *   granted resource is used again at the token endpoint (`useGrantedResource`);
 * - one signing key of the requested algorithm (RS256: 2048 bits, as Latchkey's), from a JWKS made here;
 * - an unbounded Map adapter (below) instead of its MemoryAdapter, an LRU of 1,000 entries that a
 *   refresh-rotation load would evict its own token pool from. Its store is memory; Latchkey's SQLite.
 *
 * Its userinfo endpoint accepts only opaque access tokens that have no audience, so the JWT access
 * tokens above cannot be used there: the `bench-userinfo` client gets no default resource, hence the
 * opaque userinfo token of an OIDC code grant, and the userinfo target uses one of those.
 *
 * Interactions: the first authorization of the benchmark's session goes to `/interaction/<uid>`, which
 * this script answers by finishing the login as the bench user at once (no page, no password). Consent
 * is given by `loadExistingGrant`: the session's grant for the client, or else a new grant with every
 * scope (node-oidc-provider's "skip consent for first-party clients" recipe). Afterwards an
 * authorization with the session cookie answers with a code straight away, as Latchkey's does with a
 * remembered consent.
 */
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import { CALLBACK, PEER_API as API, PEER_CLIENT, PEER_USERINFO_CLIENT } from '../lib/peer-config.mjs';
import { announce } from './lifecycle.mjs';

const alg = process.argv[2];
if (alg !== 'ES256' && alg !== 'RS256') {
  console.error('usage: oidc-provider.mjs <ES256|RS256>');
  process.exit(2);
}

const ACCOUNT = {
  sub: 'bench-user',
  given_name: 'Bench',
  family_name: 'User',
  name: 'Bench User',
  display_name: 'Bench User',
  preferred_username: 'bench',
  email: 'bench@example.com',
  email_verified: false,
};

const { privateKey } = generateKeyPairSync(
  alg === 'ES256' ? 'ec' : 'rsa',
  alg === 'ES256' ? { namedCurve: 'P-256' } : { modulusLength: 2048 },
);
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };

/**
 * Unbounded: nothing is evicted, and expired entries are dropped only when read. A grant's members are
 * a Set, so revoking a grant (a replayed code or refresh token) finds its tokens without a scan, as in
 * node-oidc-provider's Redis example adapter.
 */
const store = new Map();
const grantMembers = new Map();
class MapAdapter {
  constructor(model) {
    this.model = model;
  }
  key(id) {
    return `${this.model}:${id}`;
  }
  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    if (this.model === 'Session')
      store.set(`sessionUid:${payload.uid}`, { payload: id, expiresAt: Infinity });
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, { payload: id, expiresAt: Infinity });
    if (payload.grantId) {
      let members = grantMembers.get(payload.grantId);
      if (!members) grantMembers.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
  }
  async find(id) {
    return this.get(this.key(id));
  }
  get(key) {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  }
  async findByUid(uid) {
    const id = this.get(`sessionUid:${uid}`);
    return id ? this.find(id) : undefined;
  }
  async findByUserCode(userCode) {
    const id = this.get(`userCode:${userCode}`);
    return id ? this.find(id) : undefined;
  }
  async consume(id) {
    const payload = await this.find(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    store.delete(this.key(id));
  }
  async revokeByGrantId(grantId) {
    for (const key of grantMembers.get(grantId) ?? []) store.delete(key);
    grantMembers.delete(grantId);
  }
}

const client = (c, grantTypes) => ({
  client_id: c.id,
  client_secret: c.secret,
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: [CALLBACK],
  response_types: ['code'],
  grant_types: grantTypes,
  id_token_signed_response_alg: alg,
});

/** The issuer carries the port, so bind first and hand requests to the provider once it exists. */
let handler = (_req, res) => res.writeHead(503).end();
const server = createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 65_000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const url = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(url, {
  adapter: MapAdapter,
  jwks: { keys: [jwk] },
  clients: [
    client(PEER_CLIENT, ['authorization_code', 'refresh_token', 'client_credentials']),
    client(PEER_USERINFO_CLIENT, ['authorization_code', 'refresh_token']),
  ],
  cookies: { keys: ['bench-cookie-signing-key-0123456789'] },
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'name', 'display_name', 'preferred_username', 'picture'],
    email: ['email', 'email_verified'],
  },
  conformIdTokenClaims: false,
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, c, oneOf) =>
        oneOf ?? (c.clientId === PEER_USERINFO_CLIENT.id ? undefined : API),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api:read',
        audience: API,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg } },
      }),
    },
  },
  issueRefreshToken: (_ctx, c) => c.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  async findAccount(_ctx, sub) {
    if (sub !== ACCOUNT.sub) return undefined;
    return {
      accountId: sub,
      claims: () => ({ ...ACCOUNT, picture: `${url}/pictures/${sub}.png` }),
    };
  },
  async loadExistingGrant(ctx) {
    const { client: c, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(c.clientId);
    const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
    if (existing) return existing;
    const grant = new ctx.oidc.provider.Grant({ clientId: c.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid profile email offline_access');
    if (c.clientId !== PEER_USERINFO_CLIENT.id) grant.addResourceScope(API, 'api:read');
    await grant.save();
    return grant;
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 600,
    ClientCredentials: 3600,
    Grant: 14 * 24 * 3600,
    IdToken: 3600,
    Interaction: 3600,
    RefreshToken: 30 * 24 * 3600,
    Session: 14 * 24 * 3600,
  },
});
// Errors a client causes are answers, not log lines; anything else is worth seeing.
provider.on('server_error', (_ctx, error) => console.error(error));

const callback = provider.callback();
handler = (req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
    provider
      .interactionFinished(
        req,
        res,
        { login: { accountId: ACCOUNT.sub, amr: ['phr'] } },
        { mergeWithLastSubmission: false },
      )
      .catch((error) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500).end();
      });
    return;
  }
  callback(req, res);
};

announce(url, async () => {
  server.closeIdleConnections();
  await new Promise((resolve) => server.close(resolve));
});
