import { AccessTokenEntity } from './access-token.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { AppConfigEntity } from './app-config.entity.js';
import { AuditLogEntity } from './audit-log.entity.js';
import { AuthorizationCodeEntity } from './authorization-code.entity.js';
import { BackchannelLogoutEntity } from './backchannel-logout.entity.js';
import { ConsentEntity } from './consent.entity.js';
import { CustomClaimEntity } from './custom-claim.entity.js';
import { DeviceCodeEntity } from './device-code.entity.js';
import { EmailVerificationTokenEntity } from './email-verification-token.entity.js';
import { FileBlobEntity } from './file-blob.entity.js';
import { InteractionEntity } from './interaction.entity.js';
import { JobLockEntity } from './job-lock.entity.js';
import { KvEntity } from './kv.entity.js';
import { OidcClientAllowedGroupEntity } from './oidc-client-allowed-group.entity.js';
import { OidcClientRegistrationEntity } from './oidc-client-registration.entity.js';
import { OidcClientSecretEntity } from './oidc-client-secret.entity.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { OneTimeAccessTokenEntity } from './one-time-access-token.entity.js';
import { ParRequestEntity } from './par-request.entity.js';
import { PasskeyCredentialEntity } from './passkey-credential.entity.js';
import { RateLimitCounterEntity } from './rate-limit-counter.entity.js';
import { ReauthenticationTokenEntity } from './reauthentication-token.entity.js';
import { RefreshTokenFamilyEntity } from './refresh-token-family.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SessionEntity } from './session.entity.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SignupTokenGroupEntity } from './signup-token-group.entity.js';
import { SignupTokenEntity } from './signup-token.entity.js';
import { UserGroupMemberEntity } from './user-group-member.entity.js';
import { UserGroupEntity } from './user-group.entity.js';
import { UserEntity } from './user.entity.js';
import { WebauthnChallengeEntity } from './webauthn-challenge.entity.js';

export {
  AccessTokenEntity,
  ApiKeyEntity,
  AppConfigEntity,
  AuditLogEntity,
  AuthorizationCodeEntity,
  BackchannelLogoutEntity,
  ConsentEntity,
  CustomClaimEntity,
  DeviceCodeEntity,
  EmailVerificationTokenEntity,
  FileBlobEntity,
  InteractionEntity,
  JobLockEntity,
  KvEntity,
  OidcClientAllowedGroupEntity,
  OidcClientRegistrationEntity,
  OidcClientSecretEntity,
  OidcClientEntity,
  OneTimeAccessTokenEntity,
  ParRequestEntity,
  PasskeyCredentialEntity,
  RateLimitCounterEntity,
  ReauthenticationTokenEntity,
  RefreshTokenFamilyEntity,
  RefreshTokenEntity,
  SessionEntity,
  SigningKeyEntity,
  SignupTokenGroupEntity,
  SignupTokenEntity,
  UserGroupMemberEntity,
  UserGroupEntity,
  UserEntity,
  WebauthnChallengeEntity,
};

/**
 * Every entity, listed explicitly: discovery never scans folders, so the package works the same from
 * src/ (Vitest) and dist/. Order is irrelevant; MikroORM sorts tables by foreign keys.
 */
export const allEntities = [
  UserEntity,
  UserGroupEntity,
  UserGroupMemberEntity,
  CustomClaimEntity,
  OidcClientEntity,
  OidcClientSecretEntity,
  OidcClientAllowedGroupEntity,
  OidcClientRegistrationEntity,
  PasskeyCredentialEntity,
  WebauthnChallengeEntity,
  SessionEntity,
  ReauthenticationTokenEntity,
  InteractionEntity,
  AuthorizationCodeEntity,
  ParRequestEntity,
  RefreshTokenFamilyEntity,
  RefreshTokenEntity,
  AccessTokenEntity,
  DeviceCodeEntity,
  ConsentEntity,
  OneTimeAccessTokenEntity,
  EmailVerificationTokenEntity,
  SignupTokenEntity,
  SignupTokenGroupEntity,
  ApiKeyEntity,
  AuditLogEntity,
  AppConfigEntity,
  KvEntity,
  SigningKeyEntity,
  JobLockEntity,
  RateLimitCounterEntity,
  BackchannelLogoutEntity,
  FileBlobEntity,
];
