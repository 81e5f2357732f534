import { describe, expect, it } from 'vitest';
import { aContext, noDeps } from '../test-support.js';
import { checkIdTokenHint } from './id-token-hint.check.js';
import { checkPrompt } from './prompt.check.js';
import { checkResponseMode } from './response-mode.check.js';
import { checkUiLocales } from './ui-locales.check.js';

describe('checkPrompt', () => {
  it('takes none, login, consent and select_account; none stands alone', () => {
    const ctx = aContext({ prompt: 'login select_account consent', max_age: '0' });
    checkPrompt(ctx, noDeps());
    expect([...ctx.prompt]).toEqual(['login', 'select_account', 'consent']);
    expect(ctx.maxAge).toBe(0);
    expect(() => checkPrompt(aContext({ prompt: 'none consent' }), noDeps())).toThrow(/combined/);
    expect(() => checkPrompt(aContext({ prompt: 'create' }), noDeps())).toThrow(/Unsupported/);
    expect(() => checkPrompt(aContext({ max_age: '-1' }), noDeps())).toThrow(/max_age/);
  });
});

describe('checkResponseMode', () => {
  it('keeps a supported mode; an unknown one is refused in the query', () => {
    const ctx = aContext({ response_mode: 'form_post' });
    checkResponseMode(ctx, noDeps());
    expect(ctx.responseMode).toBe('form_post');
    try {
      checkResponseMode(aContext({ response_mode: 'web_message' }), noDeps());
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ error: 'invalid_request', redirect: { responseMode: 'query' } });
    }
  });
});

describe('checkUiLocales', () => {
  it('keeps well-formed tags in order and drops the rest', () => {
    const ctx = aContext({ ui_locales: 'de-CH  fr de-CH en_US x <b>' });
    checkUiLocales(ctx, noDeps());
    expect(ctx.uiLocales).toEqual(['de-CH', 'fr']);
  });
});

describe('checkIdTokenHint', () => {
  it("keeps a verified hint's subject and refuses an unverifiable one, redirectably", async () => {
    const ctx = aContext({ id_token_hint: 'good', state: 's' });
    await checkIdTokenHint(ctx, noDeps({ verifyIdTokenHint: async () => ({ sub: 'user-1' }) }));
    expect(ctx.idTokenHintSubject).toBe('user-1');
    await expect(
      checkIdTokenHint(aContext({ id_token_hint: 'bad', state: 's' }), noDeps()),
    ).rejects.toMatchObject({
      error: 'invalid_request',
      redirect: { state: 's' },
    });
  });
});
