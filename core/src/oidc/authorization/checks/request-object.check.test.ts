import { describe, expect, it } from 'vitest';
import { newContext } from '../authorization-request.js';
import { aClient, noDeps } from '../test-support.js';
import { checkRequestObject, PAR_REQUEST_URI_PREFIX } from './request-object.check.js';

const jwt = (claims: unknown, header: unknown = { alg: 'none' }) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
const contextFor = (params: Record<string, string>, source: 'authorize' | 'par' = 'authorize') => ({
  ...newContext(params, source),
  client: aClient(),
});

describe('checkRequestObject', () => {
  it('leaves a plain request alone', async () => {
    const ctx = contextFor({ client_id: 'rp', scope: 'openid' });
    await checkRequestObject(ctx, noDeps());
    expect(ctx.params).toEqual({ client_id: 'rp', scope: 'openid' });
    expect(ctx.pushed).toBe(false);
  });

  it('replaces the parameters with the pushed request, for its own client, once', async () => {
    const asked: [string, string][] = [];
    const deps = noDeps({
      takePushedRequest: async (uri, clientId) => {
        asked.push([uri, clientId]);
        return { client_id: 'rp', scope: 'openid email', state: 'pushed-state' };
      },
    });
    const uri = `${PAR_REQUEST_URI_PREFIX}abc`;
    const ctx = contextFor({ client_id: 'rp', request_uri: uri, scope: 'ignored', state: 'ignored' });
    await checkRequestObject(ctx, deps);
    expect(asked).toEqual([[uri, 'rp']]);
    expect(ctx.params).toEqual({ client_id: 'rp', scope: 'openid email', state: 'pushed-state' });
    expect([ctx.pushed, ctx.state]).toEqual([true, 'pushed-state']);
  });

  it('refuses unknown, foreign-scheme and pushed request_uri values, never redirectably', async () => {
    const cases: [Record<string, string>, 'authorize' | 'par', string][] = [
      [{ request_uri: `${PAR_REQUEST_URI_PREFIX}gone` }, 'authorize', 'invalid_request_uri'],
      [{ request_uri: 'https://rp.example.com/r.jwt' }, 'authorize', 'request_uri_not_supported'],
      [{ request_uri: `${PAR_REQUEST_URI_PREFIX}x` }, 'par', 'invalid_request'],
      [{ request_uri: `${PAR_REQUEST_URI_PREFIX}x`, request: jwt({}) }, 'authorize', 'invalid_request'],
    ];
    for (const [params, source, error] of cases) {
      await expect(
        checkRequestObject(contextFor({ client_id: 'rp', ...params }, source), noDeps()),
      ).rejects.toMatchObject({ error, redirect: undefined });
    }
  });

  it('merges an unsigned request object over the query, as strings, without JWT claims', async () => {
    const ctx = contextFor({
      client_id: 'rp',
      response_type: 'code',
      scope: 'openid',
      request: jwt({
        iss: 'rp',
        aud: 'https://op.example.com',
        client_id: 'rp',
        scope: 'openid email',
        max_age: 60,
        claims: { id_token: { email: null } },
        state: 'from-object',
      }),
    });
    await checkRequestObject(ctx, noDeps());
    expect(ctx.params).toEqual({
      client_id: 'rp',
      response_type: 'code',
      scope: 'openid email',
      max_age: '60',
      claims: '{"id_token":{"email":null}}',
      state: 'from-object',
    });
    expect(ctx.state).toBe('from-object');
  });

  it('refuses signed, malformed, expired and mismatching request objects', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    for (const request of [
      jwt({}, { alg: 'RS256' }),
      `${jwt({})}sig`,
      jwt({}, { typ: 'JWT' }),
      jwt([]),
      'a.b',
      'a!.b.',
      jwt({ client_id: 'other' }),
      jwt({ response_type: 'token' }),
      jwt({ request: 'nested' }),
      jwt({ exp: now.getTime() / 1000 - 1 }),
    ]) {
      const ctx = contextFor({ client_id: 'rp', response_type: 'code', request });
      await expect(checkRequestObject(ctx, noDeps({ now: () => now })), request).rejects.toMatchObject({
        error: 'invalid_request_object',
      });
    }
  });
});
