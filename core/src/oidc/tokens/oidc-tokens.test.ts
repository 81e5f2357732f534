import { describe, expect, it } from 'vitest';
import { atHash } from './oidc-tokens.js';

describe('atHash', () => {
  it('matches the OIDC Core example (RS256: left half of SHA-256, base64url)', () => {
    // OIDC Core A.3 example values.
    expect(atHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
  });
  it('uses SHA-384 and SHA-512 for the wider algorithms', () => {
    expect(atHash('token', 'ES384')).toHaveLength(32);
    expect(atHash('token', 'EdDSA')).toHaveLength(43);
  });
});
