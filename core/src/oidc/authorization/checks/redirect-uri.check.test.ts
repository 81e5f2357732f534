import { describe, expect, it } from 'vitest';
import { aClient, aContext, noDeps } from '../test-support.js';
import { checkRedirectUri } from './redirect-uri.check.js';

const deps = noDeps();
const contextFor = (params: Record<string, string>, callbackUrls: string[]) => {
  const ctx = aContext(params, aClient({ callbackUrls }));
  delete ctx.redirectUri;
  return ctx;
};

describe('checkRedirectUri', () => {
  it('accepts a registered URI and a matching pattern', () => {
    const ctx = contextFor({ redirect_uri: 'https://a.example.com/x/cb' }, ['https://*.example.com/**']);
    checkRedirectUri(ctx, deps);
    expect(ctx.redirectUri).toBe('https://a.example.com/x/cb');
  });

  it('accepts any port on an http loopback callback (RFC 8252 §7.3)', () => {
    const ctx = contextFor({ redirect_uri: 'http://127.0.0.1:51234/cb' }, ['http://127.0.0.1/cb']);
    checkRedirectUri(ctx, deps);
    expect(ctx.redirectUri).toBe('http://127.0.0.1:51234/cb');
  });

  it('fills in the only registered callback when redirect_uri is omitted', () => {
    const ctx = contextFor({}, ['https://rp.example.com/cb']);
    checkRedirectUri(ctx, deps);
    expect(ctx.redirectUri).toBe('https://rp.example.com/cb');
    expect(() =>
      checkRedirectUri(contextFor({}, ['https://a.example.com/cb', 'https://b.example.com/cb']), deps),
    ).toThrow(/required/);
  });

  it('never makes an unregistered URI redirectable', () => {
    const ctx = contextFor({ redirect_uri: 'https://evil.example.com/cb' }, ['https://rp.example.com/cb']);
    try {
      checkRedirectUri(ctx, deps);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ error: 'invalid_request', redirect: undefined });
    }
  });
});
