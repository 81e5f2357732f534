/**
 * Test peers (PostgreSQL today; slapd, Chromium… later). A missing peer skips its suite loudly on a
 * laptop; under TEST_REQUIRE_PEERS=1 (CI) it fails the run instead.
 */
export const requirePeers = process.env.TEST_REQUIRE_PEERS === '1';

export function missingPeer(name: string, why: string): void {
  const message = `PEER MISSING: ${name}: ${why}`;
  if (requirePeers) throw new Error(`${message} (TEST_REQUIRE_PEERS=1 forbids skipping)`);
  console.warn(`\n!!! ${message}: skipping the suites that need it\n`);
}
