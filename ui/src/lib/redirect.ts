/**
 * Where to go after signing in. A `redirect` query parameter is followed only when it is a path on this
 * origin (the authorization flow sends people back to `/authorize…` or `/interaction…`); anything
 * else, such as `//evil.example` or `https://…`, is ignored, so the page is no open redirector.
 */
export function safeRedirect(target: string | null | undefined): string | undefined {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\'))
    return undefined;
  try {
    const url = new URL(target, window.location.origin);
    if (url.origin !== window.location.origin) return undefined;
    return url.pathname + url.search + url.hash;
  } catch {
    return undefined;
  }
}

/** The current path as a `redirect` value, for sending someone to sign in and back. */
export function currentPath(): string {
  return window.location.pathname + window.location.search;
}
