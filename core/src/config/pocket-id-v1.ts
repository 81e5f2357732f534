/**
 * Pocket ID v1 variables that v2 (and so Latchkey) no longer reads (reference: pocket-id-api.md §6,
 * "Gone or changed since v1-era docs"). They are ignored, but someone upgrading an old compose file
 * deserves to hear which variable replaces each one.
 *
 * `DB_PROVIDER`, `KEYS_STORAGE` and `KEYS_PATH` are v1 names too, but Latchkey still accepts them (they
 * are in the schema), so they are not listed here.
 */
export interface RetiredVariable {
  readonly name: string;
  /** What to set instead; absent when nothing replaces it. */
  readonly replacement?: string;
  /** Said instead of "use X" when there is no single replacement. */
  readonly note?: string;
}

export const pocketIdV1Variables: readonly RetiredVariable[] = [
  { name: 'PUBLIC_APP_URL', replacement: 'APP_URL' },
  { name: 'INTERNAL_BACKEND_URL', replacement: 'INTERNAL_APP_URL' },
  { name: 'BACKEND_PORT', replacement: 'PORT' },
  { name: 'SQLITE_DB_PATH', replacement: 'DB_CONNECTION_STRING' },
  { name: 'POSTGRES_CONNECTION_STRING', replacement: 'DB_CONNECTION_STRING' },
  { name: 'PUBLIC_UI_CONFIG_DISABLED', replacement: 'UI_CONFIG_DISABLED' },
  { name: 'TRACING_ENABLED', replacement: 'OTEL_TRACES_EXPORTER' },
  { name: 'METRICS_ENABLED', replacement: 'OTEL_METRICS_EXPORTER' },
  { name: 'LDAP_ATTRIBUTE_ADMIN_GROUP', replacement: 'LDAP_ADMIN_GROUP_NAME' },
  { name: 'CADDY_DISABLED', note: 'there is no bundled Caddy; Latchkey serves HTTP directly on PORT' },
  { name: 'CADDY_PORT', note: 'there is no bundled Caddy; Latchkey serves HTTP directly on PORT' },
];

/** The warning for a retired variable, e.g. `PUBLIC_APP_URL is a Pocket ID v1 variable and is ignored; use APP_URL instead.` */
export function retiredVariableWarning(variable: RetiredVariable): string {
  const advice = variable.replacement
    ? `use ${variable.replacement} instead`
    : (variable.note ?? 'remove it');
  return `${variable.name} is a Pocket ID v1 variable and is ignored; ${advice}.`;
}

/** One warning per retired variable that is present (even if empty) in `env`. */
export function retiredVariableWarnings(env: Readonly<Record<string, string | undefined>>): string[] {
  return pocketIdV1Variables.filter((v) => env[v.name] !== undefined).map(retiredVariableWarning);
}
