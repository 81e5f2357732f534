import { describe, expect, it } from 'vitest';
import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { HttpRequest } from '../../http/route.js';
import { builtInClientAuthMethods, createClientAuthenticator } from './authenticate-client.js';

const aClient = (id: string, isPublic = false) => ({ id, isPublic }) as OidcClient;
const clients = new Map([
  ['app', aClient('app')],
  ['spa', aClient('spa', true)],
  ['a:b c', aClient('a:b c')],
]);
const authenticate = createClientAuthenticator(
  builtInClientAuthMethods({
    clients: { findById: async (id) => clients.get(id) ?? null },
    secrets: {
      verifyClientSecret: async (client, secret) => secret === `${client.id}-secret` && !client.isPublic,
    },
  }),
);
const req = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {} }) as unknown as HttpRequest;
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function failure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe('authenticateClient', () => {
  it('accepts Basic with form-urlencoded id and secret, post, and none for public clients', async () => {
    expect((await authenticate(req(basic('app', 'app-secret')), {})).id).toBe('app');
    expect((await authenticate(req(basic('a:b c', 'a:b c-secret')), {})).id).toBe('a:b c');
    expect((await authenticate(req(), { client_id: 'app', client_secret: 'app-secret' })).id).toBe('app');
    expect((await authenticate(req(), { client_id: 'spa' })).id).toBe('spa');
  });

  it('answers invalid_client, with a Basic challenge when Basic was tried', async () => {
    const wrong = await failure(authenticate(req(basic('app', 'nope')), {}));
    expect(wrong.error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="latchkey"');
    expect((await failure(authenticate(req('Basic !!!'), {}))).status).toBe(401);
    const post = await failure(authenticate(req(), { client_id: 'app', client_secret: 'nope' }));
    expect(post.error).toBe('invalid_client');
    expect(post.headers['www-authenticate']).toBeUndefined();
    expect((await failure(authenticate(req(), { client_id: 'app' }))).error).toBe('invalid_client');
    expect((await failure(authenticate(req(), {}))).error).toBe('invalid_client');
  });

  it('refuses two methods at once', async () => {
    const both = await failure(
      authenticate(req(basic('app', 'app-secret')), { client_id: 'app', client_secret: 'app-secret' }),
    );
    expect(both.error).toBe('invalid_request');
  });
});
