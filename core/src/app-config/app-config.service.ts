import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config.errors.js';
import { ProblemError, problems, type FieldError } from '../errors/problem.errors.js';
import { APP_SETTINGS, checkSetting, envNameOf, type SettingDef } from './app-config.schema.js';
import type { AppConfigRepository } from './app-config.repository.port.js';
import { defaultValues, toAppSettings, type AppSettings, type AppSettingsProvider } from './app-settings.js';

const REDACTED = 'XXXXXXXXXX';

export interface SettingDto {
  key: string;
  type: string;
  value: string;
  isPublic?: boolean;
}

function typeOf(def: SettingDef): string {
  switch (def.rule.kind) {
    case 'bool':
      return 'boolean';
    case 'int':
      return 'number';
    case 'stringArray':
    case 'claimArray':
      return 'array';
    default:
      return 'string';
  }
}

/**
 * Application settings (pocket-id-api.md §4.9), stored in the database and editable by admins, or,
 * with `UI_CONFIG_DISABLED=true`, read once from the environment and read-only. Reads are cached for a
 * few seconds so every request does not hit the database; another instance's edit shows up within that.
 */
export class AppConfigService implements AppSettingsProvider {
  private cache: { values: Record<string, string>; settings: AppSettings; until: number } | undefined;
  private readonly fromEnv: Record<string, string> | undefined;
  private readonly envSecretsSet = new Set<string>();

  constructor(
    private readonly deps: {
      repository: AppConfigRepository;
      uiConfigDisabled: boolean;
      /** The environment (with `.env`), read only when `uiConfigDisabled`. */
      env?: Readonly<Record<string, string | undefined>>;
      cacheMs?: number;
    },
  ) {
    if (deps.uiConfigDisabled) this.fromEnv = this.readEnv(deps.env ?? {});
  }

  get uiConfigDisabled(): boolean {
    return this.deps.uiConfigDisabled;
  }

  /** Validates every setting's variable; a bad one stops the start with its name (ConfigError). */
  private readEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
    const values = defaultValues();
    for (const def of APP_SETTINGS) {
      const name = envNameOf(def.key);
      let value = env[name];
      // `SMTP_PASSWORD_FILE`, `LDAP_BIND_PASSWORD_FILE`: the direct variable wins; contents are not trimmed.
      if (def.sensitive && (value === undefined || value === '') && env[`${name}_FILE`]) {
        try {
          value = readFileSync(env[`${name}_FILE`]!, 'utf8');
        } catch (error) {
          throw new ConfigError(`${name}_FILE`, `${name}_FILE cannot be read: ${(error as Error).message}`);
        }
      }
      if (value === undefined || value === '') continue;
      const problem = checkSetting(def, value);
      if (problem)
        throw new ConfigError(
          name,
          `${name} ${problem} (got ${def.sensitive ? 'a secret' : JSON.stringify(value)})`,
        );
      values[def.key] = value;
      if (def.sensitive) this.envSecretsSet.add(def.key);
    }
    return values;
  }

  private async load() {
    const now = Date.now();
    if (this.cache && this.cache.until > now) return this.cache;
    const values = this.fromEnv ?? { ...defaultValues(), ...(await this.deps.repository.getAll()) };
    this.cache = { values, settings: toAppSettings(values), until: now + (this.deps.cacheMs ?? 5000) };
    return this.cache;
  }

  async get(): Promise<AppSettings> {
    return (await this.load()).settings;
  }

  /** The public subset, plus Pocket ID's `uiConfigDisabled` and `tracingEnabled` entries. */
  async publicList(): Promise<SettingDto[]> {
    const { values } = await this.load();
    return [
      ...APP_SETTINGS.filter((d) => d.isPublic).map((d) => ({
        key: d.key,
        type: typeOf(d),
        value: values[d.key]!,
      })),
      { key: 'uiConfigDisabled', type: 'boolean', value: String(this.deps.uiConfigDisabled) },
      { key: 'tracingEnabled', type: 'boolean', value: 'false' },
    ];
  }

  /** Every setting; secrets set from the environment read as Pocket ID shows them. */
  async fullList(): Promise<SettingDto[]> {
    const { values } = await this.load();
    return APP_SETTINGS.map((d) => ({
      key: d.key,
      type: typeOf(d),
      value: this.fromEnv && this.envSecretsSet.has(d.key) ? REDACTED : values[d.key]!,
      isPublic: d.isPublic ?? false,
    }));
  }

  /**
   * Replaces every setting (a get-modify-put round-trips). Missing or empty values take their default,
   * as in Pocket ID; a value that breaks its rule is a 400 naming the key.
   */
  async update(input: unknown): Promise<SettingDto[]> {
    if (this.deps.uiConfigDisabled) {
      throw new ProblemError({
        status: 403,
        code: 'ui_config_disabled',
        detail: 'The settings come from the environment (UI_CONFIG_DISABLED=true) and cannot be edited here',
      });
    }
    const body = (input ?? {}) as Record<string, unknown>;
    const errors: FieldError[] = [];
    const values = defaultValues();
    for (const def of APP_SETTINGS) {
      const raw = body[def.key];
      if (raw === undefined || raw === null || raw === '') continue;
      if (typeof raw !== 'string') {
        errors.push({
          field: def.key,
          code: 'invalid_format',
          message: 'must be a string, as every setting is',
        });
        continue;
      }
      const value = def.rule.kind === 'text' ? raw.normalize('NFC') : raw;
      const problem = checkSetting(def, value);
      if (problem) errors.push({ field: def.key, code: 'invalid_format', message: problem });
      else values[def.key] = value;
    }
    if (errors.length > 0) throw problems.validationFailed(errors);
    await this.deps.repository.replaceAll(values);
    this.cache = undefined;
    return APP_SETTINGS.map((d) => ({
      key: d.key,
      type: typeOf(d),
      value: values[d.key]!,
      isPublic: d.isPublic ?? false,
    }));
  }
}
