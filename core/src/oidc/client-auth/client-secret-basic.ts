import type { HttpRequest } from '../../http/route.js';
import { invalidClient } from './client-auth.errors.js';
import {
  type ClientAuthDeps,
  type ClientAuthMethod,
  type FormBody,
  formValue,
} from './client-auth-method.port.js';
import { OAuthError } from '../../errors/oauth.errors.js';

function basicCredentials(req: HttpRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^basic\s+(.*)$/i.exec(header.trim());
  return match ? match[1]! : undefined;
}

function decodeComponent(value: string): string {
  // RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before base64.
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** RFC 6749 §2.3.1: `Authorization: Basic base64(urlencode(client_id):urlencode(client_secret))`. */
export function clientSecretBasic(deps: ClientAuthDeps): ClientAuthMethod {
  return {
    name: 'client_secret_basic',
    detect: (req) => basicCredentials(req) !== undefined,
    async authenticate(req: HttpRequest, body: FormBody) {
      const encoded = basicCredentials(req) ?? '';
      let id: string;
      let secret: string;
      try {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new Error('not base64');
        const decoded = Buffer.from(encoded, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw new Error('no colon');
        id = decodeComponent(decoded.slice(0, colon));
        secret = decodeComponent(decoded.slice(colon + 1));
        // client_id is VSCHAR (RFC 6749 Appendix A.1); a NUL would also fail PostgreSQL's lookup.
        if (id.includes('\0')) throw new Error('NUL in client_id');
      } catch {
        throw invalidClient('The Basic credentials are malformed', true);
      }
      const bodyId = formValue(body, 'client_id');
      if (bodyId !== undefined && bodyId !== id) {
        throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials');
      }
      const client = id ? await deps.clients.findById(id) : null;
      if (!client || !(await deps.secrets.verifyClientSecret(client, secret))) {
        throw invalidClient('Client authentication failed', true);
      }
      return client;
    },
  };
}
