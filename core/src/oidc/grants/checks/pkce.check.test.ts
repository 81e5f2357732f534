import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPkce } from './pkce.check.js';

const verifier = 'a'.repeat(43);
const s256 = createHash('sha256').update(verifier).digest('base64url');

describe('checkPkce', () => {
  it('accepts a matching S256 and plain verifier', () => {
    expect(() => checkPkce({ codeChallenge: s256, codeChallengeMethod: 'S256' }, verifier)).not.toThrow();
    expect(() =>
      checkPkce({ codeChallenge: verifier, codeChallengeMethod: 'plain' }, verifier),
    ).not.toThrow();
  });
  it('refuses a missing, malformed or wrong verifier, and a verifier without a challenge', () => {
    const code = { codeChallenge: s256, codeChallengeMethod: 'S256' as const };
    expect(() => checkPkce(code, undefined)).toThrow(/required/);
    expect(() => checkPkce(code, 'short')).toThrow(/malformed/);
    expect(() => checkPkce(code, 'b'.repeat(43))).toThrow(/does not match/);
    expect(() => checkPkce({ codeChallenge: null, codeChallengeMethod: null }, verifier)).toThrow(/no PKCE/);
    expect(() => checkPkce({ codeChallenge: null, codeChallengeMethod: null }, undefined)).not.toThrow();
  });
});
