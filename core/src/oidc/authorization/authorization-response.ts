import { createHash } from 'node:crypto';
import type { HttpResult } from '../../http/route.js';
import type { ResponseMode } from './authorization-request.js';

/** The one inline script of the form_post page; the CSP admits exactly it, by hash. */
const SUBMIT_SCRIPT = 'document.forms[0].submit();';
export const FORM_POST_SCRIPT_HASH = `sha256-${createHash('sha256').update(SUBMIT_SCRIPT).digest('base64')}`;

/**
 * The page's own policy replaces the API's `default-src 'none'` only to run that script. `form-action`
 * is left open on purpose: browsers also apply it to the redirects that follow the POST, and a relying
 * party's callback commonly redirects on to pages we know nothing of.
 */
const FORM_POST_CSP = `default-src 'none'; script-src '${FORM_POST_SCRIPT_HASH}'; base-uri 'none'; frame-ancestors 'none'`;

/**
 * Delivers an authorization response (a code, or an error) to the verified redirect URI, in the
 * requested response mode (OAuth 2.0 Multiple Response Type Encoding Practices §2, OAuth 2.0 Form Post
 * Response Mode). Null values are left out. Every answer is `no-store`: it carries a code or is about
 * to.
 */
export function authorizationResponse(
  redirectUri: string,
  mode: ResponseMode,
  params: Record<string, string | null>,
): HttpResult {
  const present = Object.entries(params).filter((e): e is [string, string] => e[1] !== null);
  if (mode === 'form_post') {
    const inputs = present
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const body =
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Signing you in</title></head>' +
      `<body><form method="post" action="${escapeHtml(redirectUri)}">${inputs}` +
      '<noscript><p>JavaScript is turned off. Press the button to continue.</p>' +
      '<button type="submit">Continue</button></noscript></form>' +
      `<script>${SUBMIT_SCRIPT}</script></body></html>`;
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        pragma: 'no-cache',
        'content-security-policy': FORM_POST_CSP,
      },
      body,
    };
  }
  const url = new URL(redirectUri);
  if (mode === 'fragment') {
    url.hash = new URLSearchParams(present).toString();
  } else {
    for (const [key, value] of present) url.searchParams.append(key, value);
  }
  return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' } };
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
