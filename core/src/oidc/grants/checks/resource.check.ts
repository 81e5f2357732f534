import { OAuthError } from '../../../errors/oauth.errors.js';
import { type FormBody } from '../../client-auth/client-auth-method.port.js';

/** RFC 8707 resource indicators come with APIs and permissions; until then `resource` is refused. */
export function checkNoResource(body: FormBody): void {
  if (body.resource !== undefined) {
    throw new OAuthError('invalid_target', 'The resource parameter is not supported');
  }
}
