import enUS from './en-US.json';

/**
 * Every string the UI shows lives in a locale file; `en-US.json` is the reference and its keys are
 * the type of `t()`, so a missing or misspelt key fails the type check. Another locale is a JSON file
 * with the same keys, added to `locales`; `ui_locales` (authorization requests) and the user's saved
 * locale will choose among them.
 */
export type MessageKey = keyof typeof enUS;
type Messages = Record<MessageKey, string>;

const locales: Record<string, Messages> = { 'en-US': enUS };
export const DEFAULT_LOCALE = 'en-US';

let messages: Messages = enUS;
let current = DEFAULT_LOCALE;

/** The first of the wanted locales (BCP 47, best first) that the UI has, else en-US. */
export function pickLocale(wanted: readonly string[]): string {
  for (const tag of wanted) {
    if (locales[tag]) return tag;
    const language = tag.split('-')[0];
    const match = Object.keys(locales).find((l) => l.split('-')[0] === language);
    if (match) return match;
  }
  return DEFAULT_LOCALE;
}

export function setLocale(locale: string): void {
  current = locales[locale] ? locale : DEFAULT_LOCALE;
  messages = locales[current]!;
  document.documentElement.lang = current;
}

export function locale(): string {
  return current;
}

/** The message for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = messages[key] ?? enUS[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
