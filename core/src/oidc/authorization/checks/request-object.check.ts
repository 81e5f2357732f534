import { hasUnstorableCharacters } from '../../protocol-parameters.js';
import { AuthorizeError, type AuthorizationCheck } from '../authorization-request.js';

/** RFC 9126 §2.2: the `request_uri` the PAR endpoint hands out. */
export const PAR_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** JWT claims of a request object that are not authorization request parameters (RFC 9101 §4). */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'sub']);

/**
 * Replaces the parameters with the ones the request points to, before the redirect URI is checked
 * (it may be inside them), so errors here are never redirected.
 *
 * - `request_uri` (RFC 9126 §4): only this server's pushed-request URNs, once, for the client that
 *   pushed them; the other query parameters are ignored. Fetching request objects by URL is not
 *   supported (`request_uri_not_supported`), so discovery says `request_uri_parameter_supported: false`.
 * - `request` (OIDC Core §6.1): unsigned request objects only (`alg` `none`), as Pocket ID accepts them.
 *   Its claims supersede the query's (§6.3.3); `client_id` and `response_type`, when in both, must
 *   agree. A signed request object is `invalid_request_object`: no client has keys registered.
 */
export const checkRequestObject: AuthorizationCheck = async (ctx, deps) => {
  const { request, request_uri: requestUri, ...rest } = ctx.params;
  if (request === undefined && requestUri === undefined) return;
  if (request !== undefined && requestUri !== undefined) {
    throw new AuthorizeError('invalid_request', 'request and request_uri cannot both be sent');
  }
  const client = ctx.client!;
  if (requestUri !== undefined) {
    if (ctx.source !== 'authorize') {
      // RFC 9126 §2.1: "The request_uri authorization request parameter MUST NOT be provided".
      throw new AuthorizeError('invalid_request', 'request_uri cannot be used here');
    }
    if (!requestUri.startsWith(PAR_REQUEST_URI_PREFIX)) {
      throw new AuthorizeError(
        'request_uri_not_supported',
        'Only request_uri values from the pushed authorization request endpoint are supported',
      );
    }
    const pushed = await deps.takePushedRequest(requestUri, client.id);
    if (!pushed) {
      throw new AuthorizeError('invalid_request_uri', 'The request_uri is unknown, expired or already used');
    }
    ctx.params = { ...pushed, client_id: client.id };
    ctx.pushed = true;
    ctx.state = ctx.params.state ?? null;
    return;
  }
  const claims = parseUnsignedRequestObject(request!);
  if ('request' in claims || 'request_uri' in claims) {
    throw new AuthorizeError('invalid_request_object', 'A request object cannot hold request or request_uri');
  }
  for (const key of ['client_id', 'response_type'] as const) {
    const inner = claims[key];
    if (inner !== undefined && rest[key] !== undefined && inner !== rest[key]) {
      throw new AuthorizeError('invalid_request_object', `The request object's ${key} does not match`);
    }
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= deps.now().getTime()) {
    throw new AuthorizeError('invalid_request_object', 'The request object has expired');
  }
  const merged: Record<string, string> = { ...rest };
  for (const [key, value] of Object.entries(claims)) {
    if (JWT_CLAIMS.has(key) || value === null || value === undefined) continue;
    // Parameters are strings on the wire; `max_age` may come as a number, `claims` as an object.
    merged[key] =
      typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  // The query was checked already (protocol-parameters.ts); the object's JSON can still escape one in.
  if (hasUnstorableCharacters(merged)) {
    throw new AuthorizeError(
      'invalid_request_object',
      'The request object holds U+0000 or an unpaired surrogate',
    );
  }
  if (merged.client_id !== client.id) {
    throw new AuthorizeError('invalid_request_object', "The request object's client_id does not match");
  }
  ctx.params = merged;
  ctx.state = merged.state ?? null;
};

/** An unsecured JWT (RFC 7519 §6): `{"alg":"none"}` header, JSON object payload, empty signature. */
function parseUnsignedRequestObject(jwt: string): Record<string, unknown> {
  const invalid = (why: string) => new AuthorizeError('invalid_request_object', why);
  const parts = jwt.split('.');
  if (parts.length !== 3) throw invalid('The request object is not a JWT');
  const [header, payload, signature] = parts as [string, string, string];
  const decode = (part: string): unknown => {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) throw invalid('The request object is not a JWT');
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    } catch {
      throw invalid('The request object is not a JWT');
    }
  };
  const head = decode(header);
  if (!isObject(head) || typeof head.alg !== 'string') throw invalid('The request object has no alg');
  if (head.alg !== 'none' || signature !== '') {
    throw invalid('Only unsigned request objects (alg none) are supported');
  }
  const claims = decode(payload);
  if (!isObject(claims)) throw invalid('The request object payload is not a JSON object');
  return claims;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
