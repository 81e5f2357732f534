/** What the grants scenarios' runner side (lib/grants.mjs) and servers/oidc-provider.mjs agree on. */

/** Both providers' client redirects here; nothing listens there (the runner reads the `Location`). */
export const CALLBACK = 'https://rp.example.com/cb';
/** What the code flows ask for on both sides: the scopes whose claims Latchkey releases. */
export const SCOPE = 'openid profile email';

/** node-oidc-provider's clients (static configuration there, so fixed credentials here). */
export const PEER_CLIENT = { id: 'bench', secret: 'bench-client-secret-0123456789abcdef' };
export const PEER_USERINFO_CLIENT = { id: 'bench-userinfo', secret: 'bench-userinfo-secret-0123456789ab' };
/** The resource whose access tokens node-oidc-provider issues as JWTs. */
export const PEER_API = 'https://api.bench.example';
