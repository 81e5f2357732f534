import type { OidcClient } from '../../clients/oidc-client.js';
import type { HttpRequest, QueryValue } from '../../http/route.js';

/** A parsed `application/x-www-form-urlencoded` token-endpoint body (repeated parameters already refused). */
export type FormBody = Record<string, QueryValue | undefined>;

/**
 * One way a client proves who it is at the token endpoint (RFC 6749 §2.3, OIDC Core §9). Plugins add
 * methods (e.g. `private_key_jwt`, RFC 7523 client assertions) through `clientAuth.addMethod`.
 */
export interface ClientAuthMethod {
  /** The `token_endpoint_auth_method` name advertised in discovery. */
  readonly name: string;
  /** Whether the request carries this method's credentials; exactly one method may match. */
  detect(req: HttpRequest, body: FormBody): boolean;
  /** Returns the authenticated client, or throws `invalid_client`. */
  authenticate(req: HttpRequest, body: FormBody): Promise<OidcClient>;
}

/**
 * What the built-in methods need: find a client, check one of its secrets. The secret check takes the
 * client just found, so a token request reads the client once.
 */
export interface ClientAuthDeps {
  clients: { findById(id: string): Promise<OidcClient | null> };
  secrets: { verifyClientSecret(client: OidcClient, secret: string): Promise<boolean> };
}

export function formValue(body: FormBody, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}
