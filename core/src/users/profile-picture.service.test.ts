import { describe, expect, it } from 'vitest';
import { colourOf, initialsOf, initialsSvg } from './profile-picture.service.js';

describe('initials pictures', () => {
  it('takes the first letters of the names, else the first two of the username', () => {
    expect(initialsOf({ firstName: 'ada', lastName: 'Lovelace', username: 'x' })).toBe('AL');
    expect(initialsOf({ firstName: 'Émile', lastName: null, username: 'zola' })).toBe('É');
    expect(initialsOf({ firstName: '', lastName: null, username: 'tim' })).toBe('TI');
    expect(initialsOf({ firstName: '😀x', lastName: ' ', username: 'tim' })).toBe('😀');
  });

  it('derives a stable colour from the user id', () => {
    const id = '2f1c6f9e-4a59-4c1f-9a49-1d4c5a8d6e01';
    expect(colourOf(id)).toMatch(/^#[0-9a-f]{6}$/);
    expect(colourOf(id)).toBe(colourOf(id));
    const colours = new Set(Array.from({ length: 20 }, (_, i) => colourOf(`user-${i}`)));
    expect(colours.size).toBeGreaterThan(10);
  });

  it('escapes the initials in the SVG', () => {
    expect(initialsSvg('<&', '#000000')).toContain('>&#60;&#38;</text>');
  });
});
