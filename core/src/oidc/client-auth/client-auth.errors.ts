import { OAuthError } from '../../errors/oauth.errors.js';

/** The realm named in `WWW-Authenticate` when a client tried HTTP Basic (RFC 6749 §5.2). */
export const BASIC_REALM = 'latchkey';

export function invalidClient(description: string, basicTried = false): OAuthError {
  return new OAuthError('invalid_client', description, {
    headers: basicTried ? { 'www-authenticate': `Basic realm="${BASIC_REALM}"` } : {},
  });
}
