import { api, type Passkey } from '../api/endpoints';
import { createPasskey } from './webauthn';

/**
 * Adds a passkey to the signed-in account: the server's options, the browser's ceremony, the server's
 * check. Used wherever an account gets a passkey (signup, the account page); failures are the
 * ceremony's PasskeyError or the server's ApiError, both shown by `<ErrorAlert>`.
 */
export async function registerPasskey(): Promise<Passkey> {
  const options = await api.webauthn.registerStart();
  return api.webauthn.registerFinish(await createPasskey(options));
}
