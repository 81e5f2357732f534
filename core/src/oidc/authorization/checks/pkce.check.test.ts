import { describe, expect, it } from 'vitest';
import { AuthorizeError } from '../authorization-request.js';
import { aClient, aContext } from '../test-support.js';
import { checkPkce } from './pkce.check.js';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const noDeps = { findClient: async () => null };

describe('checkPkce', () => {
  it('requires a challenge from public clients and clients with pkceEnabled, redirectably', () => {
    for (const client of [aClient({ isPublic: true }), aClient({ pkceEnabled: true })]) {
      const ctx = aContext({ state: 'st' }, client);
      expect(() => checkPkce(ctx, noDeps)).toThrow(AuthorizeError);
      try {
        checkPkce(ctx, noDeps);
      } catch (error) {
        expect(error).toMatchObject({
          error: 'invalid_request',
          redirect: { redirectUri: 'https://rp.example.com/cb', state: 'st' },
        });
      }
    }
  });

  it('lets a confidential client without pkceEnabled go without a challenge', () => {
    const ctx = aContext({});
    checkPkce(ctx, noDeps);
    expect(ctx.codeChallenge).toBeNull();
  });

  it('keeps S256 and plain challenges; plain is the default method', () => {
    const s256 = aContext({ code_challenge: CHALLENGE, code_challenge_method: 'S256' });
    checkPkce(s256, noDeps);
    expect([s256.codeChallenge, s256.codeChallengeMethod]).toEqual([CHALLENGE, 'S256']);
    const plain = aContext({ code_challenge: CHALLENGE });
    checkPkce(plain, noDeps);
    expect(plain.codeChallengeMethod).toBe('plain');
  });

  it('refuses other methods and malformed challenges', () => {
    expect(() =>
      checkPkce(aContext({ code_challenge: CHALLENGE, code_challenge_method: 'S512' }), noDeps),
    ).toThrow(/S256 or plain/);
    expect(() => checkPkce(aContext({ code_challenge: 'short' }), noDeps)).toThrow(/malformed/);
  });
});
