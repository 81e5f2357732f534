import { invalidClient } from './client-auth.errors.js';
import {
  type ClientAuthDeps,
  type ClientAuthMethod,
  type FormBody,
  formValue,
} from './client-auth-method.port.js';

/**
 * `none` (OIDC Core §9): a public client names itself with `client_id` only; it proves nothing, so PKCE
 * carries the weight. Only a side-channel-free form is detected: no Basic header, no secret, no assertion.
 */
export function noneAuth(deps: Pick<ClientAuthDeps, 'clients'>): ClientAuthMethod {
  return {
    name: 'none',
    detect: (req, body: FormBody) =>
      formValue(body, 'client_id') !== undefined &&
      formValue(body, 'client_secret') === undefined &&
      formValue(body, 'client_assertion') === undefined &&
      !/^basic\s/i.test(String(req.headers.authorization ?? '').trim()),
    async authenticate(_req, body: FormBody) {
      const client = await deps.clients.findById(formValue(body, 'client_id')!);
      if (!client || !client.isPublic) throw invalidClient('Client authentication failed');
      return client;
    },
  };
}
