import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as client from 'openid-client';

/**
 * A small web app that signs people in through Latchkey with `openid-client` (OpenID certified), as a
 * real relying party would: authorization code with PKCE, `state` and `nonce`, then the ID token's
 * claims and userinfo on its own page. The browser journeys drive it like a person.
 *
 * It listens on `127.0.0.1` while Latchkey is on `localhost`: browsers share cookies between ports of one
 * host, and the app's cookie must not be Latchkey's.
 *
 * - `/login` starts a sign-in (`?prompt=` and `?max_age=` pass through);
 * - `/callback` redeems the code and shows the claims (`[data-claim=<name>]`), or the error the
 *   authorization server sent back (`[data-error]`);
 * - `/logout` is RP-initiated logout with the ID token as `id_token_hint`; `/logout-without-hint` sends
 *   only `client_id` and `post_logout_redirect_uri`;
 * - `/signed-out` is the post-logout redirect URI, showing the `state` it got back.
 */
export interface RelyingParty {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  callbackUrl: string;
  postLogoutUrl: string;
  /** Binds the app to its client at Latchkey (after the test registered it with the URLs above). */
  connect(options: {
    issuer: string;
    clientId: string;
    clientSecret?: string;
    scope?: string;
  }): Promise<void>;
  stop(): Promise<void>;
}

interface Pending {
  verifier: string;
  nonce: string;
}

export async function startRelyingParty(name = 'Test app'): Promise<RelyingParty> {
  let config: client.Configuration | undefined;
  let scope = 'openid profile email';
  const pending = new Map<string, Pending>();
  /** The app's own sessions: its cookie → the ID token it got (for `id_token_hint`). */
  const sessions = new Map<string, string>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      page(res, 500, 'Error', `<p data-error="server">${escape(String(error))}</p>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  const callbackUrl = `${origin}/callback`;
  const postLogoutUrl = `${origin}/signed-out`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (!config) return page(res, 503, 'Not connected', '<p>The app has no client yet.</p>');
    switch (url.pathname) {
      case '/login': {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        pending.set(state, { verifier, nonce });
        const extra = Object.fromEntries(
          ['prompt', 'max_age'].flatMap((k) =>
            url.searchParams.has(k) ? [[k, url.searchParams.get(k)!]] : [],
          ),
        );
        const target = client.buildAuthorizationUrl(config, {
          redirect_uri: callbackUrl,
          scope,
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
          ...extra,
        });
        return redirect(res, target.href);
      }
      case '/callback': {
        const state = url.searchParams.get('state') ?? '';
        const started = pending.get(state);
        pending.delete(state);
        if (!started)
          return page(res, 400, 'Sign-in failed', '<p data-error="unknown_state">Unknown state</p>');
        let tokens;
        try {
          tokens = await client.authorizationCodeGrant(config, url, {
            pkceCodeVerifier: started.verifier,
            expectedState: state,
            expectedNonce: started.nonce,
            idTokenExpected: true,
          });
        } catch (error) {
          const code =
            error instanceof client.AuthorizationResponseError ? error.error : (error as Error).name;
          return page(res, 200, 'Sign-in failed', `<p data-error="${escape(code)}">${escape(code)}</p>`);
        }
        const claims = tokens.claims()!;
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        const session = randomBytes(16).toString('hex');
        sessions.set(session, tokens.id_token!);
        const rows = Object.entries({ ...claims, ...userinfo })
          .map(
            ([k, v]) =>
              `<dt>${escape(k)}</dt><dd data-claim="${escape(k)}">${escape(JSON.stringify(v))}</dd>`,
          )
          .join('');
        res.setHeader('set-cookie', `rp_session=${session}; Path=/; HttpOnly; SameSite=Lax`);
        return page(
          res,
          200,
          `Welcome to ${name}`,
          `<p>Signed in as <strong data-testid="rp-user">${escape(String(claims.name ?? claims.sub))}</strong></p><dl>${rows}</dl>`,
        );
      }
      case '/logout': {
        const idToken = sessions.get(cookie(req, 'rp_session') ?? '');
        if (!idToken)
          return page(res, 400, 'Not signed in', '<p data-error="not_signed_in">Not signed in</p>');
        const target = client.buildEndSessionUrl(config, {
          id_token_hint: idToken,
          post_logout_redirect_uri: postLogoutUrl,
          state: 'after-logout',
        });
        return redirect(res, target.href);
      }
      case '/logout-without-hint': {
        const target = client.buildEndSessionUrl(config, {
          client_id: config.clientMetadata().client_id,
          post_logout_redirect_uri: postLogoutUrl,
          state: 'after-confirmed-logout',
        });
        return redirect(res, target.href);
      }
      case '/signed-out': {
        sessions.delete(cookie(req, 'rp_session') ?? '');
        const state = url.searchParams.get('state') ?? '';
        return page(
          res,
          200,
          `Signed out of ${name}`,
          `<p>State: <code data-testid="rp-state">${escape(state)}</code></p>`,
        );
      }
      default:
        return page(res, 404, 'Not found', '<p>Not found</p>');
    }
  }

  return {
    origin,
    callbackUrl,
    postLogoutUrl,
    async connect(options) {
      scope = options.scope ?? scope;
      const auth = options.clientSecret ? client.ClientSecretPost(options.clientSecret) : client.None();
      config = await client.discovery(new URL(options.issuer), options.clientId, undefined, auth, {
        execute: [client.allowInsecureRequests],
      });
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

/** A whole page; the empty icon keeps the browser from asking for /favicon.ico. */
function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">` +
      `<title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`,
  );
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function escape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
