import { invalidClient } from './client-auth.errors.js';
import {
  type ClientAuthDeps,
  type ClientAuthMethod,
  type FormBody,
  formValue,
} from './client-auth-method.port.js';

/** RFC 6749 §2.3.1: `client_id` and `client_secret` in the form body. */
export function clientSecretPost(deps: ClientAuthDeps): ClientAuthMethod {
  return {
    name: 'client_secret_post',
    detect: (_req, body: FormBody) => formValue(body, 'client_secret') !== undefined,
    async authenticate(_req, body: FormBody) {
      const id = formValue(body, 'client_id');
      const secret = formValue(body, 'client_secret') ?? '';
      const client = id ? await deps.clients.findById(id) : null;
      if (!client || !(await deps.secrets.verifyClientSecret(client, secret))) {
        throw invalidClient('Client authentication failed');
      }
      return client;
    },
  };
}
