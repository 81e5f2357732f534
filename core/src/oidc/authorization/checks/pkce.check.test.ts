import { describe, expect, it } from 'vitest';
import { AuthorizeError } from '../authorization-request.js';
import { aClient, aContext, noDeps } from '../test-support.js';
import { checkPkce } from './pkce.check.js';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const deps = noDeps();

describe('checkPkce', () => {
  it('requires a challenge from public clients and clients with pkceEnabled, redirectably', () => {
    for (const client of [aClient({ isPublic: true }), aClient({ pkceEnabled: true })]) {
      const ctx = aContext({ state: 'st' }, client);
      expect(() => checkPkce(ctx, deps)).toThrow(AuthorizeError);
      try {
        checkPkce(ctx, deps);
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
    checkPkce(ctx, deps);
    expect(ctx.codeChallenge).toBeNull();
  });

  it('keeps S256 and plain challenges; plain is the default method', () => {
    const s256 = aContext({ code_challenge: CHALLENGE, code_challenge_method: 'S256' });
    checkPkce(s256, deps);
    expect([s256.codeChallenge, s256.codeChallengeMethod]).toEqual([CHALLENGE, 'S256']);
    const plain = aContext({ code_challenge: CHALLENGE });
    checkPkce(plain, deps);
    expect(plain.codeChallengeMethod).toBe('plain');
  });

  it('refuses other methods and malformed challenges', () => {
    expect(() =>
      checkPkce(aContext({ code_challenge: CHALLENGE, code_challenge_method: 'S512' }), deps),
    ).toThrow(/S256 or plain/);
    expect(() => checkPkce(aContext({ code_challenge: 'short' }), deps)).toThrow(/malformed/);
  });
});
