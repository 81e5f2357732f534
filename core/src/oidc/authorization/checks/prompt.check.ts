import { fail, type AuthorizationCheck } from '../authorization-request.js';

export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'] as const;
const SUPPORTED = new Set<string>(PROMPT_VALUES);

/** OIDC Core §3.1.2.1: `none` cannot be combined with another value; `max_age` is whole seconds. */
export const checkPrompt: AuthorizationCheck = (ctx) => {
  const values = (ctx.params.prompt ?? '').split(' ').filter(Boolean);
  for (const v of values)
    if (!SUPPORTED.has(v)) fail(ctx, 'invalid_request', `Unsupported prompt value ${v}`);
  if (values.includes('none') && values.length > 1) {
    fail(ctx, 'invalid_request', 'prompt=none cannot be combined with other values');
  }
  ctx.prompt = new Set(values);
  const maxAge = ctx.params.max_age;
  if (maxAge !== undefined) {
    if (!/^\d{1,9}$/.test(maxAge)) fail(ctx, 'invalid_request', 'max_age must be a non-negative integer');
    ctx.maxAge = Number(maxAge);
  }
};
