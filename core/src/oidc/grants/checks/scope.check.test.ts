import { describe, expect, it } from 'vitest';
import { narrowScope, parseScope } from './scope.check.js';

const granted = ['openid', 'profile', 'email', 'offline_access'];

describe('narrowScope', () => {
  it('keeps the whole grant when scope is omitted or empty', () => {
    expect(narrowScope(undefined, granted)).toEqual(granted);
    expect(narrowScope('', granted)).toEqual(granted);
  });
  it('narrows to the requested subset, in the order granted', () => {
    expect(narrowScope('email openid', granted)).toEqual(['openid', 'email']);
    expect(narrowScope('openid  openid', granted)).toEqual(['openid']);
  });
  it('refuses a scope outside the grant with invalid_scope', () => {
    expect(() => narrowScope('openid groups', granted)).toThrow(
      expect.objectContaining({ error: 'invalid_scope' }),
    );
  });
  it('parses without repeats or empty entries', () => {
    expect(parseScope(' a  b a ')).toEqual(['a', 'b']);
    expect(parseScope(undefined)).toEqual([]);
  });
});
