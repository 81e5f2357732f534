/**
 * The application settings the account features read (Pocket ID's UI settings, inventory §5). Today
 * they are Pocket ID's defaults; the application-configuration feature stores and edits them and
 * provides them through the same port.
 */
export interface AppSettings {
  appName: string;
  /** Minutes a sign-in lasts. */
  sessionDuration: number;
  requireUserEmail: boolean;
  webauthnUserVerification: 'required' | 'preferred';
  allowOwnAccountEdit: boolean;
}

export interface AppSettingsProvider {
  get(): Promise<AppSettings>;
}

export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze({
  appName: 'Latchkey',
  sessionDuration: 60,
  requireUserEmail: true,
  webauthnUserVerification: 'required',
  allowOwnAccountEdit: true,
});

export const defaultAppSettings: AppSettingsProvider = { get: async () => ({ ...DEFAULT_APP_SETTINGS }) };
