import { hash, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { OidcClient } from '../../clients/oidc-client.js';
import { DEFAULT_ACCESS_TOKEN_MINUTES } from '../../clients/oidc-client.js';

/** What issuing tokens needs from the signing-key service. */
export interface TokenSigner {
  currentKey(): { alg: string };
  sign(payload: JWTPayload, options?: { typ?: string; expiresIn?: number }): Promise<string>;
}

export const DEFAULT_ID_TOKEN_MINUTES = 60;
export const ACCESS_TOKEN_TYP = 'at+jwt';
/**
 * The `gty` claim (as Auth0 names it; RFC 9068 defines none) of an access token a client got for
 * itself. Such a token is not recorded when issued (token-lookup.ts says why); the claim, under our
 * signature, is what tells a lookup that a missing record means "never revoked" rather than "unknown".
 */
export const CLIENT_CREDENTIALS_GTY = 'client_credentials';

/**
 * OIDC Core §3.1.3.6: the left half of the hash of the access token's ASCII bytes, with the hash of the
 * ID token's `alg` (SHA-512 for EdDSA with Ed25519, as the OpenID Foundation's errata settle it).
 */
export function atHash(accessToken: string, alg: string): string {
  const bits = alg === 'EdDSA' ? '512' : alg.slice(-3);
  const algorithm = bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256';
  // A JWT is ASCII, so its UTF-8 bytes (what `hash` hashes) are its ASCII bytes.
  const digest = hash(algorithm, accessToken, 'buffer');
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export interface AccessTokenInput {
  issuer: string;
  client: OidcClient;
  /** The user's id, or the client's own id when no user is involved (RFC 9068 §2.2, client_credentials). */
  subject: string;
  scopes: string[];
  /** Seconds since the epoch; defaults to now. */
  issuedAt?: number;
  /** True for a client acting for itself (`client_credentials`): the token carries `gty`. */
  clientCredentials?: boolean;
  /** The refresh-token family (grant) it is issued from: its `jti` names it (`familyOfJti`). */
  familyId?: string | null;
}

/**
 * An access token issued from a refresh-token family has the `jti` `<family id>.<uuid>`, so a lookup
 * finds its grant, and whether that was revoked, without a record of the token (token-lookup.ts).
 * Under our signature, so it cannot be forged. Other tokens' `jti` is a UUID.
 */
export function familyOfJti(jti: string): string | null {
  const dot = jti.indexOf('.');
  return dot > 0 ? jti.slice(0, dot) : null;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  /** Lifetime in seconds (the client's access-token lifetime). */
  expiresIn: number;
  issuedAt: number;
}

/** An RFC 9068 JWT access token; returns it with its `jti`, `iat` and lifetime in seconds. */
export async function issueAccessToken(
  signer: TokenSigner,
  input: AccessTokenInput,
): Promise<IssuedAccessToken> {
  const expiresIn = (input.client.accessTokenLifetimeMinutes ?? DEFAULT_ACCESS_TOKEN_MINUTES) * 60;
  const issuedAt = input.issuedAt ?? Math.floor(Date.now() / 1000);
  const jti = input.familyId ? `${input.familyId}.${randomUUID()}` : randomUUID();
  // Pocket ID: the client, plus the issuer when an identity scope was granted (so userinfo accepts it).
  const aud = input.scopes.includes('openid') ? [input.client.id, input.issuer] : [input.client.id];
  const payload: JWTPayload = {
    iss: input.issuer,
    sub: input.subject,
    aud,
    jti,
    iat: issuedAt,
    client_id: input.client.id,
  };
  if (input.clientCredentials) payload.gty = CLIENT_CREDENTIALS_GTY;
  // RFC 9068 §2.2.3: `scope` when scopes were granted (Pocket ID adds `scp` too); a client_credentials
  // token without any carries neither rather than an empty string.
  if (input.scopes.length > 0) {
    payload.scope = input.scopes.join(' ');
    payload.scp = input.scopes;
  }
  const token = await signer.sign(payload, { typ: ACCESS_TOKEN_TYP, expiresIn });
  return { token, jti, expiresIn, issuedAt };
}

export interface IdTokenInput {
  issuer: string;
  client: OidcClient;
  subject: string;
  authTime: Date;
  nonce: string | null;
  amr: string[];
  sessionId: string | null;
  accessToken?: string;
  /** The scope claims (from ScopeClaimsService); `sub` among them. */
  claims: Record<string, unknown>;
}

/** OIDC Core §2 ID token, with Pocket ID's `type: "id-token"` marker. */
export async function issueIdToken(signer: TokenSigner, input: IdTokenInput): Promise<string> {
  const expiresIn = (input.client.idTokenLifetimeMinutes ?? DEFAULT_ID_TOKEN_MINUTES) * 60;
  const payload: JWTPayload = {
    ...input.claims,
    iss: input.issuer,
    sub: input.subject,
    aud: input.client.id,
    jti: randomUUID(),
    auth_time: Math.floor(input.authTime.getTime() / 1000),
    amr: input.amr,
    type: 'id-token',
  };
  if (input.nonce) payload.nonce = input.nonce;
  if (input.sessionId) payload.sid = input.sessionId;
  // The hash follows the current key's algorithm; a rotation to another algorithm landing between
  // these two lines could mismatch (sign() picks the key itself). Rare enough to accept for now.
  if (input.accessToken) payload.at_hash = atHash(input.accessToken, signer.currentKey().alg);
  return signer.sign(payload, { typ: 'JWT', expiresIn });
}
