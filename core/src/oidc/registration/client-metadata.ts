import { OAuthError } from '../../errors/oauth.errors.js';
import { jsonHasUnstorableCharacters } from '../protocol-parameters.js';

/**
 * RFC 7591 §2 client metadata, as a registration (or an RFC 7592 update) sends it, checked and with
 * the defaults applied. Departures, each deliberate:
 *
 * - `client_id` may be chosen by the caller (the Clavex guide's payload sends one); RFC 7591 leaves the
 *   identifier to the server. It follows the admin API's rule (2–128 of `[A-Za-z0-9._-]`).
 * - `scopes` (an array, as the Clavex guide sends it) is accepted beside RFC 7591's `scope` string; when
 *   both are sent they must name the same scopes. Scopes must be ones this server supports.
 * - `redirect_uris` and `post_logout_redirect_uris` are exact URIs: the `*` wildcards of the admin API
 *   are refused here, so a registration means what RFC 7591 says it means.
 * - `client_uri` becomes the client's launch URL; `logo_uri` is downloaded like the admin API's
 *   `logoUrl`. Metadata this server does not use is ignored (§2: "MUST ignore").
 */
export interface ClientMetadata {
  client_id?: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Space-separated, or undefined when none was registered. */
  scope?: string;
  client_uri?: string;
  logo_uri?: string;
  backchannel_logout_uri?: string;
  /** RFC 7592 §2.2: an update may repeat the current secret, which must then match. */
  client_secret?: string;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** What the server offers, from the loaded grants and the supported scopes. */
export interface MetadataPolicy {
  grantTypes: readonly string[];
  scopes: readonly string[];
}

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
];
const CLIENT_ID = /^[a-zA-Z0-9._-]{2,128}$/;
const MAX_URIS = 100;
const MAX_URI_LENGTH = 2048;
/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const invalidMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
const invalidRedirectUri = (description: string) => new OAuthError('invalid_redirect_uri', description);

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidMetadata(`${key} must be a string`);
  return value;
}

function stringArray(
  body: Record<string, unknown>,
  key: string,
  error: (d: string) => OAuthError = invalidMetadata,
): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw error(`${key} must be an array of strings`);
  }
  return [...new Set(value as string[])];
}

function httpUrl(body: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(body, key);
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidMetadata(`${key} is not a valid URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || value.length > MAX_URI_LENGTH) {
    throw invalidMetadata(`${key} must be an http or https URL of at most ${MAX_URI_LENGTH} characters`);
  }
  return value;
}

/** RFC 6749 §3.1.2: an absolute URI without a fragment; no wildcard patterns here (see above). */
function redirectUris(body: Record<string, unknown>, key: string): string[] {
  const uris = stringArray(body, key, invalidRedirectUri) ?? [];
  if (uris.length > MAX_URIS) throw invalidRedirectUri(`${key} may hold at most ${MAX_URIS} URIs`);
  for (const uri of uris) {
    let url: URL | undefined;
    try {
      url = new URL(uri);
    } catch {
      url = undefined;
    }
    if (!url || uri.length > MAX_URI_LENGTH)
      throw invalidRedirectUri(`${key}: ${uri} is not an absolute URI`);
    if (uri.includes('#')) throw invalidRedirectUri(`${key}: ${uri} has a fragment`);
    if (uri.includes('*')) throw invalidRedirectUri(`${key}: ${uri} is a pattern; register exact URIs`);
  }
  return uris;
}

function scopeOf(body: Record<string, unknown>, policy: MetadataPolicy): string | undefined {
  const fromString = optionalString(body, 'scope');
  const fromArray = stringArray(body, 'scopes');
  const split = (s: string) => s.split(' ').filter(Boolean);
  const asString = fromString === undefined ? undefined : split(fromString);
  if (asString && fromArray && [...new Set(asString)].sort().join(' ') !== [...fromArray].sort().join(' ')) {
    throw invalidMetadata('scope and scopes name different scopes');
  }
  const scopes = [...new Set(asString ?? fromArray ?? [])];
  if (scopes.length === 0) return undefined;
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) throw invalidMetadata(`"${scope}" is not a valid scope`);
    if (!policy.scopes.includes(scope)) {
      throw invalidMetadata(`The scope ${scope} is not supported (supported: ${policy.scopes.join(' ')})`);
    }
  }
  return scopes.join(' ');
}

/** Parses and checks a registration or update body (RFC 7591 §2, §3.1; RFC 7592 §2.2). */
export function parseClientMetadata(body: unknown, policy: MetadataPolicy): ClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidMetadata('The request body must be a JSON object of client metadata');
  }
  const input = body as Record<string, unknown>;
  // Nothing unstorable reaches storage (protocol-parameters.ts), also in members we ignore.
  if (jsonHasUnstorableCharacters(input)) {
    throw invalidMetadata('The metadata holds U+0000 or an unpaired surrogate');
  }

  const clientId = optionalString(input, 'client_id');
  if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
    throw invalidMetadata('client_id must be 2–128 characters of A–Z, a–z, 0–9, ".", "_" and "-"');
  }
  const clientName = optionalString(input, 'client_name')?.trim();
  if (clientName !== undefined && (clientName.length < 1 || clientName.length > 50)) {
    throw invalidMetadata('client_name must be 1–50 characters');
  }

  const method = (optionalString(input, 'token_endpoint_auth_method') ?? 'client_secret_basic') as
    TokenEndpointAuthMethod | string;
  if (!AUTH_METHODS.includes(method as TokenEndpointAuthMethod)) {
    throw invalidMetadata(
      `token_endpoint_auth_method ${method} is not supported (supported: ${AUTH_METHODS.join(', ')})`,
    );
  }
  const authMethod = method as TokenEndpointAuthMethod;

  const grantTypes = stringArray(input, 'grant_types') ?? ['authorization_code'];
  for (const grant of grantTypes) {
    if (!policy.grantTypes.includes(grant)) {
      throw invalidMetadata(
        `The grant type ${grant} is not supported (supported: ${policy.grantTypes.join(', ')})`,
      );
    }
  }
  if (grantTypes.length === 0) throw invalidMetadata('grant_types must name at least one grant type');
  if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
    throw invalidMetadata(
      'client_credentials needs a confidential client (not token_endpoint_auth_method none)',
    );
  }
  const codeFlow = grantTypes.includes('authorization_code');
  // §2.1: response types and grant types must agree; `code` is the only response type offered.
  const responseTypes = stringArray(input, 'response_types') ?? (codeFlow ? ['code'] : []);
  for (const type of responseTypes) {
    if (type !== 'code')
      throw invalidMetadata(`The response type ${type} is not supported (supported: code)`);
  }
  if (codeFlow !== responseTypes.includes('code')) {
    throw invalidMetadata('response_types code and grant_types authorization_code go together');
  }

  const redirects = redirectUris(input, 'redirect_uris');
  if (codeFlow && redirects.length === 0) {
    throw invalidRedirectUri('redirect_uris is required for the authorization_code grant');
  }

  return {
    client_id: clientId,
    client_name: clientName,
    redirect_uris: redirects,
    post_logout_redirect_uris: redirectUris(input, 'post_logout_redirect_uris'),
    grant_types: grantTypes,
    response_types: responseTypes,
    token_endpoint_auth_method: authMethod,
    scope: scopeOf(input, policy),
    client_uri: httpUrl(input, 'client_uri'),
    logo_uri: httpUrl(input, 'logo_uri'),
    backchannel_logout_uri: httpUrl(input, 'backchannel_logout_uri'),
    client_secret: optionalString(input, 'client_secret'),
  };
}
