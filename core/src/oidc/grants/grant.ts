import type { OidcClient } from '../../clients/oidc-client.js';
import type { RequestScope } from '../../http/route.js';
import type { FormBody } from '../client-auth/client-auth-method.port.js';

/** The RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token?: string;
  refresh_token?: string;
  scope: string;
}

/** One `grant_type` the token endpoint can serve. */
export interface Grant {
  readonly type: string;
  handle(body: FormBody, client: OidcClient, scope: RequestScope): Promise<TokenResponse>;
}
