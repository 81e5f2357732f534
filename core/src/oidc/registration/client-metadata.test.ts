import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../errors/oauth.errors.js';
import { parseClientMetadata } from './client-metadata.js';

const policy = {
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
};

/** The payload of the Clavex Grafana guide (reference/clavex-grafana-sso.md), verbatim. */
const clavex = {
  client_id: 'grafana',
  client_name: 'Grafana',
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://grafana.acme.eu/login/generic_oauth'],
  scopes: ['openid', 'profile', 'email', 'groups'],
  token_endpoint_auth_method: 'client_secret_basic',
};

const errorOf = (body: unknown): { error: string; message: string } | null => {
  try {
    parseClientMetadata(body, policy);
    return null;
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return { error: error.error, message: error.message };
  }
};

describe('parseClientMetadata', () => {
  it("reads the Clavex guide's payload, scopes array included", () => {
    expect(parseClientMetadata(clavex, policy)).toMatchObject({
      client_id: 'grafana',
      client_name: 'Grafana',
      redirect_uris: ['https://grafana.acme.eu/login/generic_oauth'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email groups',
    });
  });

  it('applies RFC 7591 defaults and reads the scope string', () => {
    expect(
      parseClientMetadata({ redirect_uris: ['http://127.0.0.1/cb'], scope: 'openid  email' }, policy),
    ).toMatchObject({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid email',
      post_logout_redirect_uris: [],
    });
    expect(parseClientMetadata({ grant_types: ['client_credentials'] }, policy)).toMatchObject({
      response_types: [],
      redirect_uris: [],
    });
  });

  it.each([
    ['a non-object body', [], 'invalid_client_metadata'],
    [
      'a missing redirect_uris for the code flow',
      { grant_types: ['authorization_code'] },
      'invalid_redirect_uri',
    ],
    ['a relative redirect URI', { redirect_uris: ['/cb'] }, 'invalid_redirect_uri'],
    ['a redirect URI with a fragment', { redirect_uris: ['https://a.example/cb#x'] }, 'invalid_redirect_uri'],
    ['a wildcard redirect URI', { redirect_uris: ['https://*.example.com/cb'] }, 'invalid_redirect_uri'],
    ['redirect_uris of the wrong type', { redirect_uris: 'https://a.example/cb' }, 'invalid_redirect_uri'],
    ['an unsupported grant type', { ...clavex, grant_types: ['implicit'] }, 'invalid_client_metadata'],
    ['an unsupported response type', { ...clavex, response_types: ['token'] }, 'invalid_client_metadata'],
    [
      'response types that contradict the grant types',
      { ...clavex, response_types: [] },
      'invalid_client_metadata',
    ],
    [
      'an unsupported auth method',
      { ...clavex, token_endpoint_auth_method: 'private_key_jwt' },
      'invalid_client_metadata',
    ],
    [
      'client_credentials for a public client',
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
    ],
    ['an unsupported scope', { ...clavex, scopes: ['openid', 'admin'] }, 'invalid_client_metadata'],
    ['scope and scopes that disagree', { ...clavex, scope: 'openid' }, 'invalid_client_metadata'],
    ['a client_id with a slash', { ...clavex, client_id: 'a/b' }, 'invalid_client_metadata'],
    [
      'a client_name over 50 characters',
      { ...clavex, client_name: 'x'.repeat(51) },
      'invalid_client_metadata',
    ],
    ['a client_name of the wrong type', { ...clavex, client_name: 7 }, 'invalid_client_metadata'],
    [
      'a logo_uri that is not http(s)',
      { ...clavex, logo_uri: 'file:///etc/passwd' },
      'invalid_client_metadata',
    ],
  ])('refuses %s', (_name, body, error) => {
    expect(errorOf(body)?.error).toBe(error);
  });

  it('accepts scope and scopes together when they agree', () => {
    expect(parseClientMetadata({ ...clavex, scope: 'groups email profile openid' }, policy).scope).toBe(
      'groups email profile openid',
    );
  });
});
