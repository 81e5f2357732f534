/**
 * "<browser> on <OS> <version>" from a User-Agent, as Pocket ID's AuditLogDto `device` reads
 * (pocket-id-api.md §3). A small parser for the browsers and systems people sign in with; anything else
 * falls back to the UA's first product name, so the column never claims more than the header says.
 * (`ua-parser-js` is not a dependency; this covers what an audit trail needs.)
 */
const BROWSERS: [name: string, pattern: RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\//],
  ['Opera', /\b(?:OPR|Opera)\//],
  ['Samsung Browser', /\bSamsungBrowser\//],
  ['Vivaldi', /\bVivaldi\//],
  ['Firefox', /\b(?:Firefox|FxiOS)\//],
  ['Chrome', /\b(?:Chrome|CriOS)\//],
  ['Safari', /\bVersion\/[\d.]+.*\bSafari\//],
];

function os(ua: string): string | null {
  let m: RegExpExecArray | null;
  if ((m = /\b(?:iPhone|CPU) OS (\d+(?:_\d+)*)/.exec(ua))) return `iOS ${m[1]!.replace(/_/g, '.')}`;
  if ((m = /\biPad.*? OS (\d+(?:_\d+)*)/.exec(ua))) return `iPadOS ${m[1]!.replace(/_/g, '.')}`;
  if ((m = /\bAndroid (\d+(?:\.\d+)*)/.exec(ua))) return `Android ${m[1]}`;
  if ((m = /\bWindows NT (\d+\.\d+)/.exec(ua))) {
    const names: Record<string, string> = { '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7' };
    return `Windows ${names[m[1]!] ?? m[1]}`;
  }
  if ((m = /\bMac OS X (\d+(?:[_.]\d+)*)/.exec(ua))) return `macOS ${m[1]!.replace(/_/g, '.')}`;
  if (/\bCrOS\b/.test(ua)) return 'ChromeOS';
  if (/\bLinux\b/.test(ua)) return 'Linux';
  return null;
}

export function describeDevice(userAgent: string | null | undefined): string {
  const ua = userAgent?.trim();
  if (!ua) return '';
  const browser = BROWSERS.find(([, pattern]) => pattern.test(ua))?.[0] ?? /^[^\s/]+/.exec(ua)?.[0] ?? ua;
  const system = os(ua);
  return system ? `${browser} on ${system}` : browser;
}
