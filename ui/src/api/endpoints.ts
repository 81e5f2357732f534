import type { SettingDto, SignUpBody, UserDto, toCredentialDto } from '@latchkey/core';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { get, post } from './client';

/**
 * The REST endpoints the UI calls, typed with the server's own DTO types (type-only imports from
 * @latchkey/core: erased at build time, so no server code reaches the browser) and WebAuthn's JSON
 * types. Paths are in docs/endpoints.md.
 */
export type User = UserDto;
export type Passkey = ReturnType<typeof toCredentialDto>;
export type Setting = SettingDto;

export const api = {
  appConfig: {
    /** The public settings as `[{key, type, value}]`; see `readAppConfig` in lib/app-config.ts. */
    list: () => get<Setting[]>('/api/application-configuration'),
  },
  setup: {
    /** Resolves while the first admin can still be created; a 404 `setup_not_available` otherwise. */
    status: () => get<void>('/api/signup/setup'),
    create: (body: SignUpBody) => post<User>('/api/signup/setup', body),
  },
  webauthn: {
    registerStart: () => get<PublicKeyCredentialCreationOptionsJSON>('/api/webauthn/register/start'),
    registerFinish: (credential: RegistrationResponseJSON) =>
      post<Passkey>('/api/webauthn/register/finish', credential),
    loginStart: (signal?: AbortSignal) =>
      get<PublicKeyCredentialRequestOptionsJSON>('/api/webauthn/login/start', signal),
    loginFinish: (credential: AuthenticationResponseJSON) =>
      post<User>('/api/webauthn/login/finish', credential),
    logout: () => post<void>('/api/webauthn/logout'),
    credentials: () => get<Passkey[]>('/api/webauthn/credentials'),
  },
  users: {
    me: () => get<User>('/api/users/me'),
    pictureUrl: (user: Pick<User, 'id'>) => `/api/users/${encodeURIComponent(user.id)}/profile-picture.png`,
  },
  loginCodes: {
    exchange: (code: string) => post<User>(`/api/one-time-access-token/${encodeURIComponent(code)}`),
  },
  /** The issuer is APP_URL: the address passkeys are bound to, shown when the browser refuses them. */
  discovery: () => get<{ issuer: string }>('/.well-known/openid-configuration'),
  images: {
    logo: '/api/application-images/logo',
  },
};
