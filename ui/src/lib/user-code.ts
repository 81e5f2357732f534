/**
 * Device user codes as people type them. `normalizeUserCode` mirrors the server's (core's
 * `normalizeUserCode`: trimmed, upper case, dashes and spaces dropped, I→1, O→0), so the page looks up
 * and shows the code the server will match, as the device shows it.
 */
export function normalizeUserCode(input: string): string {
  return input.trim().toUpperCase().replace(/[\s-]/g, '').replace(/I/g, '1').replace(/O/g, '0');
}
