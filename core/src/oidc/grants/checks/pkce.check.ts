import { hash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../../../errors/oauth.errors.js';
import type { AuthorizationCode } from '../../authorization/authorization-code.js';

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * RFC 7636 §4.6: with a challenge on the code, `code_verifier` is required and must match (S256 or
 * plain). A verifier for a code that had no challenge is refused too (RFC 9700 §2.1.1 / OAuth 2.1: a
 * downgrade signal).
 */
export function checkPkce(
  code: Pick<AuthorizationCode, 'codeChallenge' | 'codeChallengeMethod'>,
  verifier: string | undefined,
): void {
  if (!code.codeChallenge) {
    if (verifier !== undefined) {
      throw new OAuthError('invalid_grant', 'code_verifier was sent but the authorization used no PKCE');
    }
    return;
  }
  if (verifier === undefined) throw new OAuthError('invalid_grant', 'code_verifier is required');
  if (!VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'code_verifier is malformed');
  const computed = code.codeChallengeMethod === 'plain' ? verifier : hash('sha256', verifier, 'base64url');
  const a = Buffer.from(computed);
  const b = Buffer.from(code.codeChallenge);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
  }
}
