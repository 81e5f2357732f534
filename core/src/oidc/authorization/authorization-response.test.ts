import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizationResponse, FORM_POST_SCRIPT_HASH } from './authorization-response.js';

describe('authorizationResponse', () => {
  const params = { code: 'c0de', state: 'a&b=c', iss: 'https://op.example.com', error: null };

  it('appends to the query, keeping what the redirect URI already has', () => {
    const res = authorizationResponse('https://rp.example.com/cb?x=1', 'query', params);
    expect(res.status).toBe(302);
    expect(res.headers!.location).toBe(
      'https://rp.example.com/cb?x=1&code=c0de&state=a%26b%3Dc&iss=https%3A%2F%2Fop.example.com',
    );
  });

  it('puts the parameters in the fragment', () => {
    const res = authorizationResponse('https://rp.example.com/cb?x=1', 'fragment', params);
    expect(res.headers!.location).toBe(
      'https://rp.example.com/cb?x=1#code=c0de&state=a%26b%3Dc&iss=https%3A%2F%2Fop.example.com',
    );
  });

  it('renders an escaped, self-submitting form whose script the CSP admits by hash', () => {
    const res = authorizationResponse('https://rp.example.com/cb?a=1&b="2"', 'form_post', {
      ...params,
      state: '"><script>alert(1)</script>',
    });
    const html = String(res.body);
    expect(res.status).toBe(200);
    expect(html).toContain('<form method="post" action="https://rp.example.com/cb?a=1&amp;b=&quot;2&quot;">');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toContain('name="error"');
    const scripts = [...html.matchAll(/<script>(.*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(FORM_POST_SCRIPT_HASH).toBe(`sha256-${createHash('sha256').update(scripts[0]!).digest('base64')}`);
    expect(res.headers!['content-security-policy']).toContain(`script-src '${FORM_POST_SCRIPT_HASH}'`);
    expect(res.headers!['cache-control']).toBe('no-store');
  });
});
