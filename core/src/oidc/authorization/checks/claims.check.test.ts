import { describe, expect, it } from 'vitest';
import { AuthorizeError } from '../authorization-request.js';
import { aContext, noDeps } from '../test-support.js';
import { checkClaims } from './claims.check.js';

const deps = noDeps();
const run = (claims: string) => {
  const ctx = aContext({ claims, state: 'st' });
  checkClaims(ctx, deps);
  return ctx;
};
const refusal = (claims: string): AuthorizeError => {
  try {
    run(claims);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizeError);
    return error as AuthorizeError;
  }
  throw new Error(`claims=${claims} was accepted`);
};

describe('checkClaims', () => {
  it('keeps the userinfo and id_token members, ignoring members it does not understand (§5.5)', () => {
    const ctx = run(
      JSON.stringify({
        userinfo: { email: null, groups: { essential: true } },
        id_token: { name: { essential: false, values: ['a'] }, nickname: { value: 'x' } },
        verified_claims: { anything: true },
      }),
    );
    expect(ctx.claims).toEqual({
      userinfo: { email: null, groups: { essential: true } },
      id_token: { name: { essential: false, values: ['a'] }, nickname: { value: 'x' } },
    });
    expect(ctx.requestedSubject).toBeNull();
  });

  it('does nothing without the parameter, and keeps nothing for an object with neither member', () => {
    const ctx = aContext({});
    checkClaims(ctx, deps);
    expect(ctx.claims).toBeNull();
    expect(run('{}').claims).toBeNull();
  });

  it('binds the request to the sub an ID token value names (§5.5.1.1)', () => {
    expect(run('{"id_token":{"sub":{"value":"u-1"}}}').requestedSubject).toBe('u-1');
    expect(run('{"userinfo":{"sub":{"value":"u-1"}}}').requestedSubject).toBeNull();
  });

  it('refuses malformed requests with a redirectable invalid_request', () => {
    for (const bad of [
      'not json',
      '[]',
      '"x"',
      'null',
      '{"userinfo":[]}',
      '{"id_token":"email"}',
      '{"userinfo":{"email":true}}',
      '{"userinfo":{"email":[]}}',
      '{"userinfo":{"email":{"essential":"yes"}}}',
      '{"id_token":{"email":{"values":"a"}}}',
      '{"userinfo":{"":null}}',
    ]) {
      const error = refusal(bad);
      expect(error.error).toBe('invalid_request');
      expect(error.redirect).toMatchObject({ redirectUri: 'https://rp.example.com/cb', state: 'st' });
    }
  });
});
