import { describe, expect, it } from 'vitest';
import { checkCallbackUrls, compileCallbackPattern, isInsecureCallbackUrl } from './callback-url.check.js';

describe('callback URL patterns (pocket-id-api.md §9)', () => {
  it('accepts valid patterns, with wildcards and custom schemes', () => {
    for (const url of [
      '*',
      'https://app.example.com/callback',
      'https://*.example.com/cb',
      'https://app.example.com:*/cb',
      'https://app.example.com/**',
      '*://app.example.com/cb',
      'http://localhost/cb',
      'com.example.app:/oauth2redirect',
      'myapp://callback?x=1',
      'https://[::1]:8443/cb',
      'https://app.example.com/cb#dropped',
    ]) {
      expect(compileCallbackPattern(url), url).not.toBeNull();
    }
  });

  it('refuses patterns without a scheme, javascript: and data:, and malformed ones', () => {
    for (const url of [
      '',
      'app.example.com/callback',
      '/callback',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,hi',
      'https://exa mple.com/cb',
      'https://app.example.com:99999/cb',
      'https://app.example.com:8a/cb',
      'https:///cb',
      'https://[::1/cb',
      'https://app\\example.com/cb',
      'https://app.example.com/c\u0001b',
    ]) {
      expect(compileCallbackPattern(url), url).toBeNull();
    }
  });

  it('matches with the wildcard rules', () => {
    const pattern = (p: string) => compileCallbackPattern(p)!;
    expect(pattern('*').test('https://anything.example/x')).toBe(true);
    expect(pattern('https://*.example.com/cb').test('https://a.example.com/cb')).toBe(true);
    expect(pattern('https://*.example.com/cb').test('https://a.example.org/cb')).toBe(false);
    expect(pattern('https://app.example.com/*/cb').test('https://app.example.com/x/cb')).toBe(true);
    expect(pattern('https://app.example.com/*/cb').test('https://app.example.com/x/y/cb')).toBe(false);
    expect(pattern('https://app.example.com/**').test('https://app.example.com/x/y/cb')).toBe(true);
    expect(pattern('https://app.example.com/cb?a=*').test('https://app.example.com/cb?a=42')).toBe(true);
    expect(pattern('https://app.example.com/cb?a=*').test('https://app.example.com/cb?b=42')).toBe(false);
    expect(pattern('https://app.example.com/cb').test('https://app.example.com/cb#frag')).toBe(true);
    // RFC 8252 §7.3: a port-less http loopback pattern accepts any port
    expect(pattern('http://127.0.0.1/cb').test('http://127.0.0.1:51234/cb')).toBe(true);
    expect(pattern('https://app.example.com/cb').test('https://app.example.com:8443/cb')).toBe(false);
  });

  it('flags plain http to non-loopback hosts only', () => {
    expect(isInsecureCallbackUrl('http://app.example.com/cb')).toBe(true);
    expect(isInsecureCallbackUrl('HTTP://app.example.com/cb')).toBe(true);
    expect(isInsecureCallbackUrl('http://localhost:3000/cb')).toBe(false);
    expect(isInsecureCallbackUrl('http://127.0.0.1/cb')).toBe(false);
    expect(isInsecureCallbackUrl('http://[::1]:8080/cb')).toBe(false);
    expect(isInsecureCallbackUrl('https://app.example.com/cb')).toBe(false);
  });

  it('checkCallbackUrls throws oidc_invalid_callback_url naming the URL', () => {
    expect(() =>
      checkCallbackUrls(['https://ok.example/cb', 'nope'], { allowInsecure: true, field: 'callbackURLs' }),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'oidc_invalid_callback_url',
        details: { url: 'nope', field: 'callbackURLs' },
      }),
    );
    expect(() =>
      checkCallbackUrls(['http://app.example.com/cb'], { allowInsecure: true, field: 'f' }),
    ).not.toThrow();
    expect(() =>
      checkCallbackUrls(['http://app.example.com/cb'], { allowInsecure: false, field: 'f' }),
    ).toThrow(/http:\/\/app\.example\.com\/cb/);
  });
});
