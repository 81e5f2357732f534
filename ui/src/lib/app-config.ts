import { createSignal } from 'solid-js';
import { api, type Setting } from '../api/endpoints';

/** The public application settings the pages use (Pocket ID's keys; values travel as strings). */
export interface AppConfig {
  appName: string;
  accentColor: string;
  requireUserEmail: boolean;
  disableAnimations: boolean;
  allowUserSignups: 'disabled' | 'withToken' | 'open';
  /** Whether people may edit their own name, username and email (the locale is always theirs). */
  allowOwnAccountEdit: boolean;
}

export function readAppConfig(list: readonly Setting[]): AppConfig {
  const value = (key: string) => list.find((s) => s.key === key)?.value;
  const signups = value('allowUserSignups');
  return {
    appName: value('appName') || 'Latchkey',
    accentColor: value('accentColor') || 'default',
    requireUserEmail: value('requireUserEmail') !== 'false',
    disableAnimations: value('disableAnimations') === 'true',
    allowUserSignups: signups === 'open' || signups === 'withToken' ? signups : 'disabled',
    allowOwnAccountEdit: value('allowOwnAccountEdit') !== 'false',
  };
}

const [config, setConfig] = createSignal<AppConfig>();

/** Loads the configuration once per page load; the shell waits for it before showing a page. */
export async function loadAppConfig(): Promise<AppConfig> {
  const loaded = readAppConfig(await api.appConfig.list());
  setConfig(loaded);
  return loaded;
}

/** The configuration (set before any page renders: the shell waits for it). */
export function appConfig(): AppConfig {
  return config() ?? readAppConfig([]);
}

export const appName = (): string => appConfig().appName;
