import type {
  AccessibleOidcClientDto,
  AuthorizedOidcClientDto,
  InteractionDto,
  InteractionStep,
  OidcClientMetaDataDto,
  Page,
  SettingDto,
  SignUpBody,
  UserBody,
  UserDto,
  toAuditLogDto,
  toCredentialDto,
} from '@latchkey/core';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { del, get, patch, post, put } from './client';

/**
 * The REST endpoints the UI calls, typed with the server's own DTO types (type-only imports from
 * @latchkey/core: erased at build time, so no server code reaches the browser) and WebAuthn's JSON
 * types. Paths are in docs/endpoints.md.
 */
export type User = UserDto;
export type Passkey = ReturnType<typeof toCredentialDto>;
export type Setting = SettingDto;
export type MyApp = AccessibleOidcClientDto;
export type AuthorizedApp = AuthorizedOidcClientDto;
export type AuditLogEntry = ReturnType<typeof toAuditLogDto>;
export type { Page };
/** The server stores steps as strings; they are always its INTERACTION_STEPS. */
export type Interaction = Omit<InteractionDto, 'currentStep' | 'requiredSteps' | 'completedSteps'> & {
  currentStep?: InteractionStep;
  requiredSteps: readonly InteractionStep[];
  completedSteps: readonly InteractionStep[];
};
export type { InteractionStep };
export type ClientMeta = OidcClientMetaDataDto;
/** `GET /api/oidc/device/info` (docs/endpoints.md "Device authorization"). */
export interface DeviceCodeInfo {
  scope: string[];
  scopeInfo: { key: string; name: string; description?: string }[];
  authorizationRequired: boolean;
  reauthenticationRequired: boolean;
  client: ClientMeta;
}

/** Pocket ID's list query (pocket-id-api.md §1.3) as URL parameters. */
export interface ListOptions {
  page?: number;
  limit?: number;
  sort?: { column: string; direction: 'asc' | 'desc' };
  filters?: Record<string, (string | boolean)[]>;
}

function listQuery(options: ListOptions = {}): string {
  const query = new URLSearchParams();
  if (options.page) query.set('pagination[page]', String(options.page));
  if (options.limit) query.set('pagination[limit]', String(options.limit));
  if (options.sort) {
    query.set('sort[column]', options.sort.column);
    query.set('sort[direction]', options.sort.direction);
  }
  for (const [field, values] of Object.entries(options.filters ?? {}))
    for (const value of values) query.append(`filters[${field}]`, String(value));
  const text = query.toString();
  return text ? `?${text}` : '';
}

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
    /** A fresh assertion, or `{}` within a minute of a passkey sign-in; sets the re-authentication cookie. */
    reauthenticate: (credential: AuthenticationResponseJSON | Record<string, never>) =>
      post<void>('/api/webauthn/reauthenticate', credential),
    credentials: () => get<Passkey[]>('/api/webauthn/credentials'),
    rename: (id: string, name: string) =>
      patch<Passkey>(`/api/webauthn/credentials/${encodeURIComponent(id)}`, { name }),
    remove: (id: string) => del<void>(`/api/webauthn/credentials/${encodeURIComponent(id)}`),
  },
  users: {
    me: () => get<User>('/api/users/me'),
    pictureUrl: (user: Pick<User, 'id'>) => `/api/users/${encodeURIComponent(user.id)}/profile-picture.png`,
    /** Only the locale changes unless the `allowOwnAccountEdit` setting is on. */
    updateMe: (body: UserBody) => put<User>('/api/users/me', body),
    /** PNG, JPEG or WebP, at most 2 MiB (413 `file_too_large` above). */
    uploadPicture: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return put<void>('/api/users/me/profile-picture', form);
    },
    removePicture: () => del<void>('/api/users/me/profile-picture'),
  },
  loginCodes: {
    exchange: (code: string) => post<User>(`/api/one-time-access-token/${encodeURIComponent(code)}`),
    /** A code to sign in on another device; `ttl` in seconds (the server's default is 15 minutes). */
    create: (ttl: number) => post<{ token: string }>('/api/users/me/one-time-access-token', { ttl }),
  },
  signup: {
    /** Open signup, or with `token`; answers 201 with the user and a sign-in cookie. */
    create: (body: SignUpBody) => post<User>('/api/signup', body),
  },
  apps: {
    /** "My apps": the clients the user may sign in to (pocket-id-api.md §4.11). */
    mine: (options?: ListOptions) => get<Page<MyApp>>(`/api/oidc/users/me/clients${listQuery(options)}`),
    authorized: (options?: ListOptions) =>
      get<Page<AuthorizedApp>>(`/api/oidc/users/me/authorized-clients${listQuery(options)}`),
    revoke: (clientId: string) =>
      del<void>(`/api/oidc/users/me/authorized-clients/${encodeURIComponent(clientId)}`),
  },
  auditLogs: {
    mine: (options?: ListOptions) => get<Page<AuditLogEntry>>(`/api/audit-logs${listQuery(options)}`),
  },
  /** The authorization pages: interactions, device codes, the logout confirmation. */
  oidc: {
    interaction: (id: string) => get<Interaction>(`/api/oidc/interactions/${encodeURIComponent(id)}`),
    /** `userId`: the person the page showed the step to; someone else signed in meanwhile is a 409. */
    complete: (id: string, step: InteractionStep, userId?: string) =>
      post<{ interaction: Interaction } | { redirectUrl: string }>(
        `/api/oidc/interactions/${encodeURIComponent(id)}/complete`,
        userId === undefined ? { step } : { step, userId },
      ),
    /** Not a fetch: the page goes there (`location.assign`) and the server sends it back to the client. */
    denyUrl: (id: string) => `/api/oidc/interactions/${encodeURIComponent(id)}/deny`,
    client: (id: string) => get<ClientMeta>(`/api/oidc/clients/${encodeURIComponent(id)}/meta`),
    logoUrl: (clientId: string, light: boolean) =>
      `/api/oidc/clients/${encodeURIComponent(clientId)}/logo?light=${light}`,
    deviceInfo: (code: string) =>
      get<DeviceCodeInfo>(`/api/oidc/device/info?code=${encodeURIComponent(code)}`),
    deviceVerify: (code: string) => post<void>(`/api/oidc/device/verify?code=${encodeURIComponent(code)}`),
    deviceDeny: (code: string) => post<void>(`/api/oidc/device/deny?code=${encodeURIComponent(code)}`),
    /**
     * Where the logout page may send the person afterwards, as the server decides it: end-session
     * without an `id_token_hint` (and without the cookie) signs nobody out and redirects to `/logout`
     * with a *verified* `post_logout_redirect_uri`, or none. The page's own query could be anyone's.
     */
    verifiedLogoutTarget: async (query: {
      client_id: string;
      post_logout_redirect_uri?: string;
      state?: string;
    }): Promise<string | undefined> => {
      const params = new URLSearchParams(
        Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      // Followed to the page (Accept: text/html), whose final URL carries the verdict.
      const response = await fetch(`/api/oidc/end-session?${params}`, {
        headers: { accept: 'text/html' },
        credentials: 'omit',
      });
      const verdict = new URL(response.url);
      const target = verdict.searchParams.get('post_logout_redirect_uri');
      if (verdict.origin !== window.location.origin || !target) return undefined;
      const url = new URL(target);
      const state = verdict.searchParams.get('state');
      if (state) url.searchParams.set('state', state);
      return url.href;
    },
  },
  /** The issuer is APP_URL: the address passkeys are bound to, shown when the browser refuses them. */
  discovery: () => get<{ issuer: string }>('/.well-known/openid-configuration'),
  images: {
    logo: '/api/application-images/logo',
  },
};
