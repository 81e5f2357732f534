import type { AuthorizationCheck } from '../authorization-request.js';

const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/**
 * OIDC Core §3.1.2.1 `ui_locales`: a preference, never an error ("An error SHOULD NOT result if some or
 * all of the requested locales are not supported"), so malformed tags are dropped, not refused. The
 * interaction page gets the list and picks a language it has.
 */
export const checkUiLocales: AuthorizationCheck = (ctx) => {
  const tags = (ctx.params.ui_locales ?? '').split(' ').filter((t) => LANGUAGE_TAG.test(t));
  ctx.uiLocales = [...new Set(tags)].slice(0, 10);
};
