import { toOidcClientMetaDataDto } from '../../clients/oidc-client.dto.js';
import { problems } from '../../errors/problem.errors.js';
import { cookieNames, serializeCookie } from '../../http/cookies.js';
import { json } from '../../http/render.js';
import { clientInfo, defineRoute, type HttpRequest, type RouteDef } from '../../http/route.js';
import type { ReauthenticationService } from '../../passkeys/reauthentication.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { DeviceAuthorizationService } from '../device/device-authorization.service.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import { checkNoResource } from '../grants/checks/resource.check.js';
import { parseScope } from '../grants/checks/scope.check.js';
import { rejectUnstorableCharacters } from '../protocol-parameters.js';

export const DEVICE_AUTHORIZATION_PATH = '/api/oidc/device/authorize';
/** The UI page where a person enters the user code (ARCHITECTURE: pages). */
export const DEVICE_PAGE = '/device';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** Advertised on APP_URL, as Pocket ID does (inventory §2). */
export function registerDeviceDiscovery(discovery: DiscoveryRegistry): void {
  discovery.add('device', ({ issuer }) => ({
    device_authorization_endpoint: `${issuer}${DEVICE_AUTHORIZATION_PATH}`,
  }));
}

const codeParam = (req: HttpRequest): string => {
  const code = req.query.code;
  if (typeof code !== 'string' || code.trim() === '') {
    throw problems.validationFailed([{ field: 'code', code: 'required', message: 'is required' }]);
  }
  return code;
};

/**
 * RFC 8628 with Pocket ID's routes (pocket-id-api.md §4.13): the device's request, and the browser's
 * look at a user code (`info`) and approval (`verify`). `deny` is ours: RFC 8628's `access_denied`
 * needs a way for the person to say no, which Pocket ID's page lacks.
 */
export function deviceRoutes(deps: {
  devices: DeviceAuthorizationService;
  authenticateClient: ClientAuthenticator;
  reauthentication: Pick<ReauthenticationService, 'consume'>;
  secure: boolean;
}): RouteDef[] {
  const names = cookieNames(deps.secure);
  return [
    defineRoute<Record<string, string>, FormBody>({
      name: 'oidc.device.authorize',
      method: 'POST',
      path: DEVICE_AUTHORIZATION_PATH,
      auth: 'client',
      body: 'form',
      errors: 'oauth',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'Device authorization request (RFC 8628 §3.1)',
      async handler(req, scope) {
        rejectUnstorableCharacters(req.body);
        const client = await deps.authenticateClient(req, req.body);
        checkNoResource(req.body);
        const scopes = [...new Set(parseScope(formValue(req.body, 'scope')))];
        const started = await deps.devices.start(client, scopes);
        const verificationUri = `${scope.issuer}${DEVICE_PAGE}`;
        return json(
          200,
          {
            device_code: started.deviceCode,
            user_code: started.userCode,
            verification_uri: verificationUri,
            verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(started.userCode)}`,
            expires_in: started.expiresIn,
            interval: started.interval,
          },
          NO_STORE,
        );
      },
    }),
    defineRoute({
      name: 'oidc.device.info',
      method: 'GET',
      path: '/api/oidc/device/info',
      auth: 'browser',
      tags: ['oidc'],
      summary:
        'What a user code asks for: the client, its scopes, and whether consent or re-authentication is needed',
      async handler(req) {
        const info = await deps.devices.info(codeParam(req), req.auth!.user);
        return json(200, {
          scope: info.scopes,
          scopeInfo: [],
          authorizationRequired: info.authorizationRequired,
          reauthenticationRequired: info.reauthenticationRequired,
          client: toOidcClientMetaDataDto(info.client),
        });
      },
    }),
    defineRoute({
      name: 'oidc.device.verify',
      method: 'POST',
      path: '/api/oidc/device/verify',
      auth: 'browser',
      tags: ['oidc'],
      summary: 'Approve a user code for the signed-in person',
      async handler(req) {
        const { user, session } = req.auth!;
        if (!session) throw problems.notSignedIn();
        let spent = false;
        await deps.devices.approve(
          codeParam(req),
          { user, session },
          {
            client: clientInfo(req),
            reauthenticated: async () => {
              spent = true;
              return deps.reauthentication.consume(req.cookies[names.reauthentication], user.id);
            },
          },
        );
        // A spent re-authentication cookie is cleared, as the interaction API does.
        const headers: Record<string, string> = spent
          ? { 'set-cookie': serializeCookie(names.reauthentication, '', { maxAge: 0, secure: deps.secure }) }
          : {};
        return { status: 204, headers };
      },
    }),
    defineRoute({
      name: 'oidc.device.deny',
      method: 'POST',
      path: '/api/oidc/device/deny',
      auth: 'browser',
      tags: ['oidc'],
      summary: 'Refuse a user code: the device gets access_denied',
      async handler(req) {
        await deps.devices.deny(codeParam(req), req.auth!.user);
        return { status: 204 };
      },
    }),
  ];
}
